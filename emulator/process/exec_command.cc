#include "emulator/process/exec_command.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "emulator/process/process_runner.h"

namespace imsemu::process {

StatusOr<int> ExecCommand(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& extra_env) {
  if (argv.empty()) return InvalidArgument("no command to run (give it after --)");
  // Everything the child needs is built before fork().
  std::map<std::string, std::string> env = InheritedEnvironment();
  for (const auto& [name, value] : extra_env) env[name] = value;
  std::vector<std::string> env_entries;
  for (const auto& [name, value] : env) env_entries.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (std::string& e : env_entries) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (std::string& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);

  int failed[2];
  if (pipe2(failed, O_CLOEXEC) != 0) return Status(StatusCode::kUnavailable, "pipe failed");
  const pid_t parent = getpid();
  const pid_t child = fork();
  if (child < 0) return Status(StatusCode::kUnavailable, std::string("fork: ") + strerror(errno));
  if (child == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    execvpe(argp[0], argp.data(), envp.data());
    const int error = errno;
    (void)!write(failed[1], &error, sizeof error);
    _exit(127);
  }
  close(failed[1]);
  int error = 0;
  ssize_t n;
  do {
    n = read(failed[0], &error, sizeof error);
  } while (n < 0 && errno == EINTR);
  close(failed[0]);
  if (n == static_cast<ssize_t>(sizeof error)) {
    waitpid(child, nullptr, 0);
    return Status(StatusCode::kUnavailable,
                  "cannot run '" + argv[0] + "': " + std::string(strerror(error)));
  }

  sigset_t waited;
  sigemptyset(&waited);
  sigaddset(&waited, SIGINT);
  sigaddset(&waited, SIGTERM);
  sigaddset(&waited, SIGCHLD);
  int status = 0;
  while (waitpid(child, &status, WNOHANG) != child) {
    siginfo_t info{};
    const int sig = sigwaitinfo(&waited, &info);
    // SIGCHLD may be a game server's keeper: the loop checks our child.
    if (sig == SIGINT || sig == SIGTERM) {
      // A terminal's Ctrl-C (sent by the kernel) reached the command too.
      if (info.si_code != SI_KERNEL) kill(child, sig);
    }
  }
  return ExitCodeOf(status);
}

}  // namespace imsemu::process
