// FakeProcessRunner: a ProcessRunner whose processes are puppets. A test
// makes them print and exit, and reads what the supervisor asked of them
// (starts, SIGTERMs, kills), so the supervisor's timing is tested on the
// virtual clock with no real process and no real waiting.
#pragma once

#include <string>
#include <vector>

#include "emulator/process/process_runner.h"

namespace imsemu::test {

class FakeProcessRunner final : public process::ProcessRunner {
 public:
  struct Process {
    process::ProcessLaunch launch;
    int handle = -1;
    pid_t pid = -1;
    std::vector<std::string> signals;  // "TERM", "KILL", in order
    bool exited = false;
  };

  // The next Start() fails with `reason`.
  void FailNextStart(std::string reason) { fail_next_ = std::move(reason); }
  // From now on, a process told to terminate exits with `code` (as a game
  // server that handles SIGTERM would); by default it ignores SIGTERM.
  void LeaveOnSigterm(int code) { leave_on_sigterm_ = code; }

  // What the process with `handle` writes, or its exit, reported on the next Wait().
  void Print(int handle, std::string text) { Queue(handle, std::move(text), std::nullopt); }
  void Exit(int handle, int code) { Queue(handle, "", core::ProcessExit::Exited(code)); }
  // The process is ended by `signal`.
  void Die(int handle, int signal) { Queue(handle, "", core::ProcessExit::Signaled(signal)); }

  // Every process started, in order.
  const std::vector<Process>& started() const { return started_; }
  const Process& last() const { return started_.back(); }

  StatusOr<process::StartedProcess> Start(const process::ProcessLaunch& launch) override {
    if (!fail_next_.empty()) {
      std::string reason;
      reason.swap(fail_next_);
      return Status(StatusCode::kUnavailable, reason);
    }
    Process p;
    p.launch = launch;
    p.handle = static_cast<int>(started_.size()) + 1;
    p.pid = 40000 + p.handle;
    started_.push_back(p);
    return process::StartedProcess{p.handle, p.pid};
  }
  void Terminate(int handle) override {
    At(handle).signals.push_back("TERM");
    if (leave_on_sigterm_) Exit(handle, *leave_on_sigterm_);
  }
  void Kill(int handle) override {
    At(handle).signals.push_back("KILL");
    Die(handle, 9);
  }
  std::vector<process::ProcessNews> Wait(std::chrono::milliseconds) override {
    std::vector<process::ProcessNews> news;
    news.swap(news_);
    return news;
  }

 private:
  Process& At(int handle) { return started_.at(static_cast<size_t>(handle - 1)); }
  void Queue(int handle, std::string output, std::optional<core::ProcessExit> exit) {
    Process& p = At(handle);
    if (p.exited) return;  // a process exits once
    p.exited = exit.has_value();
    news_.push_back({handle, std::move(output), exit});
  }

  std::vector<Process> started_;
  std::vector<process::ProcessNews> news_;
  std::string fail_next_;
  std::optional<int> leave_on_sigterm_;
};

}  // namespace imsemu::test
