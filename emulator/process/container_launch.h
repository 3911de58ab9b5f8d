// ContainerLaunch: how a payload whose allocation names `payload_spec.image`
// runs, as IMS runs every payload: the image, started by a container runtime
// (podman or docker) as the game server's process.
//
// `<runtime> run --rm --pull=never` stays attached, so the runtime's process
// stands for the container everywhere a command's process does: its output
// is the container's, its exit code is the container's (the runtime reports
// 128 + N for a container ended by signal N, and 125..127 when it could not
// start it), and SIGTERM sent to it is passed to the container (the
// runtime's signal proxy). The keeper runs the launch's `cleanup` command
// after the runtime's process ends and when it kills it, so no container
// outlives its payload or the emulator, however the emulator ends.
//
// Inside the container, ORCHESTRATION_PAYLOAD_API names the host's loopback
// as the runtime lets a container reach it: podman's slirp4netns network with
// allow_host_loopback (10.0.2.2), or docker's host.docker.internal (Docker
// Desktop on Windows and macOS forwards it to the host's loopback). Each
// `payload_spec.ports` entry is published on the host port the emulator
// handed out, on the emulator's listening address. payload_spec.resources
// become the runtime's --memory (a container past it is OOM-killed by the
// kernel: the runtime reports 137, signal 9) and --cpus. Pure.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "emulator/core/allocation.h"
#include "emulator/process/process_runner.h"

namespace imsemu::process {

enum class RuntimeFlavor { kPodman, kDocker };

struct ContainerRuntime {
  std::string command;  // as exec finds it: a name on PATH, or a path
  RuntimeFlavor flavor = RuntimeFlavor::kPodman;
};

// The runtime `wanted` names ("podman", "docker", or a path to either; the
// flavor is read from its file name), or, when `wanted` is empty, podman if
// it is on `path` (a PATH value), else docker if it is, else podman (which
// then fails to start, naming it).
ContainerRuntime ChooseContainerRuntime(const std::string& wanted, const std::string& path);

// A host port handed out for a container port.
struct PublishedPort {
  int host_port = 0;
  int container_port = 0;
  std::string protocol;  // UDP, TCP or TCPUDP
};

struct ContainerRun {
  std::string payload_id;
  std::string image;
  std::vector<std::string> args;           // placeholders already expanded
  std::map<std::string, std::string> env;  // the container's, expanded
  // ORCHESTRATION_PAYLOAD_API as the host sees it ("127.0.0.1:PORT", maybe
  // with a /payloads/ID prefix): a loopback host becomes the runtime's way
  // back to the host.
  std::string payload_api;
  std::vector<PublishedPort> ports;
  std::string publish_address;  // where published ports listen on the host
  std::string name;             // the container's name, unique on the machine
  long long memory_bytes = 0;   // --memory; 0: none
  long long millicpus = 0;      // --cpus; 0: none
};

// The runtime's command line for `run`; `runtime_env` is the runtime's own
// environment (the emulator's).
ProcessLaunch ContainerLaunch(const ContainerRuntime& runtime, const ContainerRun& run,
                              std::vector<std::string> runtime_env);

// ORCHESTRATION_PAYLOAD_API inside a container of `flavor`, for `payload_api`
// as the host sees it.
std::string PayloadApiInContainer(RuntimeFlavor flavor, const std::string& payload_api);

// The label every container the emulator starts carries (its value: the
// payload id), for `podman ps --filter label=...`.
inline constexpr const char* kPayloadLabel = "ims-emulator.payload";

}  // namespace imsemu::process
