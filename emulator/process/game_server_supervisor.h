// GameServerSupervisor: runs each payload of an allocation with a
// `payload_spec.command` as a real child process, and of one with a
// `payload_spec.image` as a container (container_launch.h), with IMS's exit
// semantics.
//
// When the world starts a payload (created, or restarted after back-off) the
// supervisor launches the command with its args and env, placeholders
// expanded ({payload_id}, {address}, {port:NAME}) and ORCHESTRATION_PAYLOAD_API
// set. Its stdout and stderr go to one log file per payload and, line by
// line, to the journal at debug level. When the process exits, the world is
// told (World::ExitPayload), which drives Error / Unhealthy / Shutdown. When
// the world removes a payload, its process group gets SIGTERM, then SIGKILL
// once the grace period has passed on the emulator's clock. Each game server
// runs through a ProcessRunner: for real, under a keeper (keeper.h), so that
// neither it nor any descendant outlives the emulator however it ends.
//
// The work is done in steps (Step): start what the world started, signal
// what it removed, kill what outlived its grace, and pass on what the
// processes wrote and how they exited. By default the supervisor's own thread
// takes the steps, so that a child's parent-death signal is tied to a thread
// that lives as long as the emulator; a test can take them itself instead,
// with a fake runner and the virtual clock. Thread-safe.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "emulator/clock/clock.h"
#include "emulator/core/lifecycle.h"
#include "emulator/core/world.h"
#include "emulator/process/process_runner.h"
#include "emulator/util/mutex.h"

namespace imsemu::process {

struct SupervisorOptions {
  std::string log_dir;  // created if missing
  Duration grace = core::kSigtermGrace;
  std::string address = "127.0.0.1";  // the {address} placeholder
  // Containers (payload_spec.image): the runtime ("" finds podman, then
  // docker, on PATH) and where their published ports listen on the host.
  std::string container_runtime;
  std::string publish_address = "127.0.0.1";
  // Who takes the steps: the supervisor's own thread, or the caller (tests).
  bool own_thread = true;
  // Passes each exit on to the world: calls `apply` (which does) and may do
  // more around it (serve --record writes it down in order). Default: apply.
  std::function<void(const std::string& payload_id, const core::ProcessExit& exit,
                     const std::function<bool()>& apply)>
      pass_on_exit;
};

class GameServerSupervisor final : public core::PayloadObserver {
 public:
  // `runner` defaults to a KeeperRunner (real processes).
  GameServerSupervisor(core::World& world, const Clock& clock, SupervisorOptions options,
                       std::function<std::string(const std::string&)> payload_api_of,
                       std::unique_ptr<ProcessRunner> runner = nullptr);
  ~GameServerSupervisor() override;

  void OnPayloadStarted(const core::Payload& payload, const core::Allocation& allocation) override;
  void OnPayloadRemoved(const std::string& payload_id) override;

  // Sends SIGTERM to `payload_id`'s game server and leaves its payload as it
  // is (its Payload Local API keeps answering): the exit, whenever it comes,
  // reaches the world as any exit does. No grace, no kill. `check` uses it to
  // see how a server leaves on SIGTERM alone.
  void AskToLeave(const std::string& payload_id);
  // The log file of `payload_id`, if it ever ran a process.
  std::optional<std::string> LogPathOf(const std::string& payload_id) const;
  // The pid of `payload_id`'s running process, if any.
  std::optional<pid_t> PidOf(const std::string& payload_id) const;
  // One step of work, waiting up to `wait` for the processes. Only for a
  // supervisor without its own thread.
  void Step(std::chrono::milliseconds wait);
  // Terminates every child (SIGTERM, then kill after `grace` of real time),
  // waits for them and stops the supervisor thread. Idempotent.
  void StopAll(std::chrono::milliseconds grace);
  // Cuts a StopAll() grace short: every child is killed now. Any thread.
  void KillNow() { kill_now_ = true; }

 private:
  // Tells the world a game server exited (through options_.pass_on_exit).
  void PassOnExit(const std::string& payload_id, const core::ProcessExit& exit,
                  const std::string& reason);
  struct Child {
    std::string payload_id;
    int handle = -1;
    pid_t pid = -1;       // as PidOf() reports it
    int log = -1;         // the log file
    std::string partial;  // an unfinished output line
    bool terminating = false;
    Time kill_at;
    bool container_memory_limit = false;  // ProcessLaunch's
  };

  void Loop();
  void EndAll(std::chrono::milliseconds grace);
  void Spawn(const ProcessLaunch& launch);
  void Absorb(const std::vector<ProcessNews>& news);
  Child* Find(int handle);
  ProcessLaunch Prepare(const core::Payload& payload, const core::Allocation& allocation) const;
  ProcessLaunch PrepareContainer(const core::Payload& payload, const core::Allocation& allocation,
                                 std::vector<std::string> args,
                                 std::map<std::string, std::string> env,
                                 const std::map<std::string, std::string>& inherited) const;

  core::World& world_;
  const Clock& clock_;
  const SupervisorOptions options_;
  const std::function<std::string(const std::string&)> payload_api_of_;
  const std::unique_ptr<ProcessRunner> runner_;

  mutable Mutex mu_;
  CondVar wake_{mu_};
  std::vector<ProcessLaunch> launches_ IMSEMU_GUARDED_BY(mu_);
  std::vector<std::string> terminations_ IMSEMU_GUARDED_BY(mu_);
  std::vector<std::string> asked_to_leave_ IMSEMU_GUARDED_BY(mu_);
  std::map<std::string, std::string> log_paths_ IMSEMU_GUARDED_BY(mu_);
  std::map<std::string, pid_t> pids_ IMSEMU_GUARDED_BY(mu_);
  bool stopping_ IMSEMU_GUARDED_BY(mu_) = false;
  std::chrono::milliseconds stop_grace_ IMSEMU_GUARDED_BY(mu_){0};
  std::atomic<bool> kill_now_{false};

  // Owned by whoever takes the steps.
  std::vector<Child> children_;
  std::thread thread_;
};

}  // namespace imsemu::process
