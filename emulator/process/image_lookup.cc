#include "emulator/process/image_lookup.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <thread>
#include <vector>

#include "emulator/clock/stopwatch.h"

extern char** environ;

namespace imsemu::process {

Status LookUpImage(const ContainerRuntime& runtime, const std::string& image) {
  std::vector<std::string> args = {runtime.command, "image", "inspect", image};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  for (int fd = 0; fd <= 2; ++fd) {
    posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_RDWR, 0);
  }
  pid_t pid = -1;
  const int error = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  const std::string named = "cannot run the image '" + image + "' with " + runtime.command + ": ";
  if (error != 0) return InvalidArgument(named + std::strerror(error));
  // Polled, not a blocking wait: a runtime that hangs is killed after 60 s.
  const Stopwatch waited;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (waited.Elapsed() > std::chrono::seconds(60)) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return InvalidArgument(named + "'image inspect' did not answer within 60 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return OkStatus();
  return InvalidArgument(named + "it has no such image; build or pull it first (images are " +
                         "never pulled: --pull=never)");
}

}  // namespace imsemu::process
