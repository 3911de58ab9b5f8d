// Startable: whether an allocation's game server can be started at all, asked
// before anything waits on it: its command found the way exec finds it, or
// its image held by the container runtime. `serve` refuses a fixture whose
// game server cannot start before it listens, the orchestration API refuses
// such an allocation with a 400, and `check` refuses the command up front.
#pragma once

#include <string>

#include "emulator/core/allocation.h"
#include "ims_emulator/status.h"

namespace imsemu::process {

// The PATH a spec's command is found on: its own env's PATH, else ours (a
// container runtime is always found on ours).
std::string SearchPathOf(const core::AllocationSpec& spec);

// OK when `spec` starts no game server, or when its command names an
// executable file, or when `container_runtime` ("" = podman, else docker)
// holds its image; otherwise InvalidArgument naming payload_spec.command or
// payload_spec.image and why ("payload_spec.command: cannot start 'x': not
// found on PATH (/usr/bin:/bin)").
Status CheckStartable(const core::AllocationSpec& spec, const std::string& container_runtime);

}  // namespace imsemu::process
