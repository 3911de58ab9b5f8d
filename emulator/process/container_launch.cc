#include "emulator/process/container_launch.h"

#include <filesystem>

#include "emulator/process/command_lookup.h"

namespace imsemu::process {
namespace {

// The host's loopback as a container of `flavor` reaches it.
const char* HostLoopbackFor(RuntimeFlavor flavor) {
  return flavor == RuntimeFlavor::kPodman ? "10.0.2.2" : "host.docker.internal";
}

bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

// "-p ADDRESS:HOST:CONTAINER/proto" for each protocol of `port`.
void Publish(const PublishedPort& port, const std::string& address,
             std::vector<std::string>& args) {
  for (const char* protocol : {"tcp", "udp"}) {
    const bool wanted = port.protocol == "TCPUDP" ||
                        (port.protocol == "TCP" && protocol[0] == 't') ||
                        (port.protocol == "UDP" && protocol[0] == 'u');
    if (!wanted) continue;
    args.push_back("--publish");
    args.push_back(address + ":" + std::to_string(port.host_port) + ":" +
                   std::to_string(port.container_port) + "/" + protocol);
  }
}

}  // namespace

ContainerRuntime ChooseContainerRuntime(const std::string& wanted, const std::string& path) {
  std::string command = wanted;
  if (command.empty()) {
    command = "podman";
    if (!LookUpCommand("podman", path).ok() && LookUpCommand("docker", path).ok()) {
      command = "docker";
    }
  }
  const std::string file = std::filesystem::path(command).filename().string();
  return {command, file.find("docker") != std::string::npos ? RuntimeFlavor::kDocker
                                                            : RuntimeFlavor::kPodman};
}

std::string PayloadApiInContainer(RuntimeFlavor flavor, const std::string& payload_api) {
  // host:port[/prefix], the host maybe a bracketed IPv6 literal.
  const size_t colon = payload_api.rfind(':', payload_api.find('/'));
  if (colon == std::string::npos) return payload_api;
  const std::string host = payload_api.substr(0, colon);
  if (!IsLoopbackHost(host)) return payload_api;
  return HostLoopbackFor(flavor) + payload_api.substr(colon);
}

ProcessLaunch ContainerLaunch(const ContainerRuntime& runtime, const ContainerRun& run,
                              std::vector<std::string> runtime_env) {
  ProcessLaunch launch;
  launch.payload_id = run.payload_id;
  launch.command = runtime.command;
  launch.env = std::move(runtime_env);
  std::vector<std::string>& a = launch.args;
  a = {"run",    "--rm",   "--pull=never", "--sig-proxy=true",
       "--name", run.name, "--label",      std::string(kPayloadLabel) + "=" + run.payload_id};
  if (runtime.flavor == RuntimeFlavor::kPodman) {
    a.insert(a.end(), {"--network", "slirp4netns:allow_host_loopback=true"});
  } else {
    a.insert(a.end(), {"--add-host", "host.docker.internal:host-gateway"});
  }
  for (const PublishedPort& port : run.ports) Publish(port, run.publish_address, a);
  if (run.memory_bytes > 0) {
    a.insert(a.end(), {"--memory", std::to_string(run.memory_bytes)});
    launch.container_memory_limit = true;
  }
  if (run.millicpus > 0) a.insert(a.end(), {"--cpus", core::CoresText(run.millicpus)});
  std::map<std::string, std::string> env = run.env;
  env["ORCHESTRATION_PAYLOAD_API"] = PayloadApiInContainer(runtime.flavor, run.payload_api);
  for (const auto& [name, value] : env) a.insert(a.end(), {"--env", name + "=" + value});
  a.push_back(run.image);
  a.insert(a.end(), run.args.begin(), run.args.end());
  // Removes the container whatever state it is in, at once; quiet when it
  // is already gone.
  launch.cleanup = {runtime.command, "rm", "--force"};
  if (runtime.flavor == RuntimeFlavor::kPodman) {
    launch.cleanup.insert(launch.cleanup.end(), {"--time", "0", "--ignore"});
  }
  launch.cleanup.push_back(run.name);
  return launch;
}

}  // namespace imsemu::process
