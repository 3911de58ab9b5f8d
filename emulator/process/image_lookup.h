// ImageLookup: whether a container runtime holds an image, asked before
// anything waits on it (as command_lookup.h asks of a command):
// `ims-emulator check --fixture F` with an image that was never built is an
// error up front, not eight cases that blame the game server.
#pragma once

#include <string>

#include "emulator/process/container_launch.h"
#include "ims_emulator/status.h"

namespace imsemu::process {

// OK when `runtime` has `image` (`<runtime> image inspect`, its output
// discarded); otherwise InvalidArgument naming the image and the runtime
// ("... build or pull it first"). Waits for the runtime, up to 60 s.
Status LookUpImage(const ContainerRuntime& runtime, const std::string& image);

}  // namespace imsemu::process
