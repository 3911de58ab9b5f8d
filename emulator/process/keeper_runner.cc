#include "emulator/process/keeper_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

#include "emulator/process/keeper.h"

namespace imsemu::process {
namespace {

// Reads an int from `fd`; false if the other end closed first.
bool ReadInt(int fd, int& value) {
  ssize_t n;
  do {
    n = read(fd, &value, sizeof value);
  } while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(sizeof value);
}

void CloseAll(std::initializer_list<int> fds) {
  for (int fd : fds) {
    if (fd >= 0) close(fd);
  }
}

// Everything readable on `fd` now (non-blocking).
std::string Drain(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

}  // namespace

KeeperRunner::KeeperRunner() : self_(getpid()) {}

KeeperRunner::~KeeperRunner() {
  for (auto& [pid, pipes] : outputs_) {
    kill(pid, kKillNowSignal);
    waitpid(pid, nullptr, 0);
    CloseAll({pipes.output, pipes.game_end});
  }
}

StatusOr<StartedProcess> KeeperRunner::Start(const ProcessLaunch& launch) {
  // Everything the child needs is built before fork().
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(launch.command.c_str()));
  for (const std::string& a : launch.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& e : launch.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  std::vector<char*> cleanup;
  for (const std::string& a : launch.cleanup) cleanup.push_back(const_cast<char*>(a.c_str()));
  cleanup.push_back(nullptr);

  int out[2] = {-1, -1};
  int failed[2] = {-1, -1};
  int game_pid[2] = {-1, -1};
  int game_end[2] = {-1, -1};
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(failed, O_CLOEXEC) != 0 ||
      pipe2(game_pid, O_CLOEXEC) != 0 || pipe2(game_end, O_CLOEXEC) != 0) {
    const int error = errno;
    CloseAll(
        {out[0], out[1], failed[0], failed[1], game_pid[0], game_pid[1], game_end[0], game_end[1]});
    return Status(StatusCode::kUnavailable, std::string("pipe: ") + std::strerror(error));
  }
  KeeperLaunch keeper;
  keeper.argv = argv.data();
  keeper.envp = envp.data();
  keeper.cleanup_argv = launch.cleanup.empty() ? nullptr : cleanup.data();
  keeper.output_fd = out[1];
  keeper.exec_error_fd = failed[1];
  keeper.game_pid_fd = game_pid[1];
  keeper.game_end_fd = game_end[1];
  keeper.game_end_read_fd = game_end[0];
  keeper.emulator = self_;
  keeper.memory_limit = launch.memory_limit;
  keeper.page_size = sysconf(_SC_PAGESIZE);
  const pid_t pid = fork();
  if (pid == 0) RunKeeper(keeper);
  const int fork_error = errno;
  CloseAll({out[1], failed[1], game_pid[1], game_end[1]});
  if (pid < 0) {
    CloseAll({out[0], failed[0], game_pid[0], game_end[0]});
    return Status(StatusCode::kUnavailable, std::string("fork: ") + std::strerror(fork_error));
  }
  int exec_error = 0;
  const bool exec_failed = ReadInt(failed[0], exec_error);
  int game = -1;
  if (!exec_failed && !ReadInt(game_pid[0], game)) game = -1;
  CloseAll({failed[0], game_pid[0]});
  if (exec_failed) {
    waitpid(pid, nullptr, 0);
    CloseAll({out[0], game_end[0]});
    return Status(StatusCode::kUnavailable, std::strerror(exec_error));
  }
  fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
  outputs_[pid] = {out[0], game_end[0]};
  return StartedProcess{pid, game > 0 ? game : pid};
}

void KeeperRunner::Terminate(int handle) {
  if (outputs_.count(handle) != 0) kill(handle, SIGTERM);  // the keeper passes it on
}

void KeeperRunner::Kill(int handle) {
  if (outputs_.count(handle) != 0) kill(handle, kKillNowSignal);
}

std::vector<ProcessNews> KeeperRunner::Wait(std::chrono::milliseconds timeout) {
  std::vector<pollfd> fds;
  for (const auto& [pid, pipes] : outputs_) fds.push_back({pipes.output, POLLIN, 0});
  if (!fds.empty()) poll(fds.data(), fds.size(), static_cast<int>(timeout.count()));
  std::vector<ProcessNews> news;
  for (auto it = outputs_.begin(); it != outputs_.end();) {
    ProcessNews item;
    item.handle = it->first;
    item.output = Drain(it->second.output);
    int status = 0;
    if (waitpid(it->first, &status, WNOHANG) == it->first) {
      item.output += Drain(it->second.output);  // what it wrote just before it ended
      // The keeper has exited, so what it wrote is there (or it never wrote:
      // it was killed itself, and its own end is the best there is).
      int game_end = 0;
      item.exit = ReadInt(it->second.game_end, game_end) ? DecodeExit(game_end) : ExitOf(status);
      CloseAll({it->second.output, it->second.game_end});
      it = outputs_.erase(it);
    } else {
      ++it;
    }
    if (!item.output.empty() || item.exit) news.push_back(std::move(item));
  }
  return news;
}

}  // namespace imsemu::process
