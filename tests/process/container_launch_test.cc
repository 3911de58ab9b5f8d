#include "emulator/process/container_launch.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/test_emulator.h"

namespace imsemu::process {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

ContainerRun ARun() {
  ContainerRun run;
  run.payload_id = "sslw4-6ddev";
  run.image = "localhost/game:1.4";
  run.args = {"--port", "7777"};
  run.env = {{"MODE", "ranked"}, {"ZONE", "eu"}};
  run.payload_api = "127.0.0.1:41235";
  run.ports = {{30000, 7777, "UDP"}, {30001, 27015, "TCPUDP"}, {30002, 8080, "TCP"}};
  run.publish_address = "127.0.0.1";
  run.name = "ims-emulator-7-1-sslw4-6ddev";
  return run;
}

// The value after `flag` each time it appears.
std::vector<std::string> ValuesOf(const std::vector<std::string>& args, const std::string& flag) {
  std::vector<std::string> out;
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == flag) out.push_back(args[i + 1]);
  }
  return out;
}

TEST(ContainerLaunchTest, PodmanRunsTheImageAttachedWithItsPortsEnvAndWayBack) {
  const ProcessLaunch launch =
      ContainerLaunch({"podman", RuntimeFlavor::kPodman}, ARun(), {"PATH=/usr/bin"});
  EXPECT_EQ(launch.payload_id, "sslw4-6ddev");
  EXPECT_EQ(launch.command, "podman");
  EXPECT_THAT(launch.env, ElementsAre("PATH=/usr/bin"));
  const std::vector<std::string>& a = launch.args;
  ASSERT_GE(a.size(), 4u);
  EXPECT_EQ(a[0], "run");
  EXPECT_THAT(a, ::testing::IsSupersetOf({"--rm", "--pull=never", "--sig-proxy=true"}));
  EXPECT_THAT(a, Not(::testing::Contains("-d")));  // attached: its exit is the container's
  EXPECT_THAT(ValuesOf(a, "--name"), ElementsAre("ims-emulator-7-1-sslw4-6ddev"));
  EXPECT_THAT(ValuesOf(a, "--label"), ElementsAre("ims-emulator.payload=sslw4-6ddev"));
  EXPECT_THAT(ValuesOf(a, "--network"), ElementsAre("slirp4netns:allow_host_loopback=true"));
  EXPECT_THAT(ValuesOf(a, "--publish"),
              ElementsAre("127.0.0.1:30000:7777/udp", "127.0.0.1:30001:27015/tcp",
                          "127.0.0.1:30001:27015/udp", "127.0.0.1:30002:8080/tcp"));
  EXPECT_THAT(ValuesOf(a, "--env"),
              ElementsAre("MODE=ranked", "ORCHESTRATION_PAYLOAD_API=10.0.2.2:41235", "ZONE=eu"));
  // The image, then its own arguments, last: nothing after it is the runtime's.
  const auto image = std::find(a.begin(), a.end(), "localhost/game:1.4");
  ASSERT_NE(image, a.end());
  EXPECT_EQ(std::vector<std::string>(image + 1, a.end()),
            (std::vector<std::string>{"--port", "7777"}));
  EXPECT_THAT(launch.cleanup, ElementsAre("podman", "rm", "--force", "--time", "0", "--ignore",
                                          "ims-emulator-7-1-sslw4-6ddev"));
}

TEST(ContainerLaunchTest, DockerReachesTheHostThroughHostDockerInternal) {
  ContainerRun run = ARun();
  run.payload_api = "127.0.0.1:9350/payloads/sslw4-6ddev";
  const ProcessLaunch launch =
      ContainerLaunch({"/usr/local/bin/docker", RuntimeFlavor::kDocker}, run, {});
  EXPECT_EQ(launch.command, "/usr/local/bin/docker");
  EXPECT_THAT(ValuesOf(launch.args, "--network"), ::testing::IsEmpty());
  EXPECT_THAT(ValuesOf(launch.args, "--add-host"),
              ElementsAre("host.docker.internal:host-gateway"));
  EXPECT_THAT(ValuesOf(launch.args, "--env"),
              ::testing::Contains(
                  "ORCHESTRATION_PAYLOAD_API=host.docker.internal:9350/payloads/sslw4-6ddev"));
  EXPECT_THAT(launch.cleanup, ElementsAre("/usr/local/bin/docker", "rm", "--force",
                                          "ims-emulator-7-1-sslw4-6ddev"));
}

TEST(ContainerLaunchTest, OnlyALoopbackPayloadApiIsRewritten) {
  EXPECT_EQ(PayloadApiInContainer(RuntimeFlavor::kPodman, "127.0.0.1:5000"), "10.0.2.2:5000");
  EXPECT_EQ(PayloadApiInContainer(RuntimeFlavor::kPodman, "localhost:5000/payloads/x"),
            "10.0.2.2:5000/payloads/x");
  EXPECT_EQ(PayloadApiInContainer(RuntimeFlavor::kDocker, "[::1]:5000"),
            "host.docker.internal:5000");
  // A LAN address reaches the host from a container as it is.
  EXPECT_EQ(PayloadApiInContainer(RuntimeFlavor::kPodman, "192.168.1.20:5000"),
            "192.168.1.20:5000");
}

TEST(ContainerLaunchTest, PublishedPortsListenWhereTheEmulatorDoes) {
  ContainerRun run = ARun();
  run.publish_address = "0.0.0.0";
  const ProcessLaunch launch = ContainerLaunch({"podman", RuntimeFlavor::kPodman}, run, {});
  EXPECT_THAT(ValuesOf(launch.args, "--publish"), ::testing::Each(HasSubstr("0.0.0.0:")));
}

// payload_spec.resources as the runtime takes them; none without them.
TEST(ContainerLaunchTest, ResourcesBecomeTheRuntimesMemoryAndCpuLimits) {
  const ProcessLaunch plain = ContainerLaunch({"podman", RuntimeFlavor::kPodman}, ARun(), {});
  EXPECT_THAT(ValuesOf(plain.args, "--memory"), ::testing::IsEmpty());
  EXPECT_THAT(ValuesOf(plain.args, "--cpus"), ::testing::IsEmpty());
  EXPECT_FALSE(plain.container_memory_limit);
  ContainerRun run = ARun();
  run.memory_bytes = 64LL << 20;
  run.millicpus = 1500;
  for (RuntimeFlavor flavor : {RuntimeFlavor::kPodman, RuntimeFlavor::kDocker}) {
    const ProcessLaunch launch = ContainerLaunch({"podman", flavor}, run, {});
    EXPECT_THAT(ValuesOf(launch.args, "--memory"), ElementsAre("67108864"));
    EXPECT_THAT(ValuesOf(launch.args, "--cpus"), ElementsAre("1.5"));
    EXPECT_TRUE(launch.container_memory_limit) << "its 137 is an OOM kill";
    // Runtime options, before the image.
    const auto image = std::find(launch.args.begin(), launch.args.end(), "localhost/game:1.4");
    EXPECT_LT(std::find(launch.args.begin(), launch.args.end(), "--memory"), image);
  }
}

// A folder holding executables named `names`, as a PATH entry.
std::string FolderWith(const std::vector<std::string>& names) {
  const std::string dir = test::TempPath("runtimes");
  std::filesystem::create_directories(dir);
  for (const std::string& name : names) {
    std::ofstream(dir + "/" + name) << "#!/bin/sh\n";
    chmod((dir + "/" + name).c_str(), 0755);
  }
  return dir;
}

TEST(ContainerLaunchTest, TheRuntimeIsPodmanThenDockerOnPathOrTheOneNamed) {
  const std::string both = FolderWith({"podman", "docker"});
  const std::string docker_only = FolderWith({"docker"});
  const std::string none = FolderWith({});
  EXPECT_EQ(ChooseContainerRuntime("", both).command, "podman");
  EXPECT_EQ(ChooseContainerRuntime("", both).flavor, RuntimeFlavor::kPodman);
  EXPECT_EQ(ChooseContainerRuntime("", docker_only).command, "docker");
  EXPECT_EQ(ChooseContainerRuntime("", docker_only).flavor, RuntimeFlavor::kDocker);
  // Neither: podman, which then fails to start, naming itself.
  EXPECT_EQ(ChooseContainerRuntime("", none).command, "podman");
  EXPECT_EQ(ChooseContainerRuntime("docker", both).flavor, RuntimeFlavor::kDocker);
  const ContainerRuntime by_path = ChooseContainerRuntime("/opt/bin/docker", none);
  EXPECT_EQ(by_path.command, "/opt/bin/docker");
  EXPECT_EQ(by_path.flavor, RuntimeFlavor::kDocker);
}

}  // namespace
}  // namespace imsemu::process
