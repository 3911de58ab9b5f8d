#include "emulator/process/startable.h"

#include <cstdlib>

#include "emulator/process/command_lookup.h"
#include "emulator/process/container_launch.h"
#include "emulator/process/image_lookup.h"

namespace imsemu::process {

std::string SearchPathOf(const core::AllocationSpec& spec) {
  auto it = spec.payload_spec.env.find("PATH");
  if (it != spec.payload_spec.env.end() && spec.payload_spec.image.empty()) return it->second;
  const char* path = std::getenv("PATH");
  return path ? path : "/usr/bin:/bin";
}

Status CheckStartable(const core::AllocationSpec& spec, const std::string& container_runtime) {
  const core::PayloadSpec& p = spec.payload_spec;
  if (!p.image.empty()) {
    const ContainerRuntime runtime = ChooseContainerRuntime(container_runtime, SearchPathOf(spec));
    Status s = LookUpCommand(runtime.command, SearchPathOf(spec));
    if (s.ok()) s = LookUpImage(runtime, p.image);
    if (!s.ok()) return InvalidArgument("payload_spec.image: " + s.message());
    return OkStatus();
  }
  if (p.command.empty()) return OkStatus();
  if (Status s = LookUpCommand(p.command, SearchPathOf(spec)); !s.ok()) {
    return InvalidArgument("payload_spec.command: " + s.message());
  }
  return OkStatus();
}

}  // namespace imsemu::process
