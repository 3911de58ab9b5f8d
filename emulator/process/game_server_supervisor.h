// GameServerSupervisor: runs each payload of an allocation with a
// `payload_spec.command` as a real child process, with IMS's exit semantics.
//
// When the world starts a payload (created, or restarted after back-off) the
// supervisor launches the command with its args and env, placeholders
// expanded ({payload_id}, {address}, {port:NAME}) and ORCHESTRATION_PAYLOAD_API
// set. Its stdout and stderr go to one log file per payload and, line by
// line, to the journal at debug level. When the process exits, the world is
// told (World::ExitPayload), which drives Error / Unhealthy / Shutdown. When
// the world removes a payload, its process group gets SIGTERM, then SIGKILL
// once the grace period has passed on the emulator's clock. Each game server
// runs under a keeper (keeper.h), so that neither it nor any descendant
// outlives the emulator however the emulator ends.
//
// All forking, reading and reaping happens on the supervisor's own thread, so
// that a child's parent-death signal is tied to a thread that lives as long
// as the emulator. Thread-safe.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "emulator/clock/clock.h"
#include "emulator/core/world.h"

namespace imsemu::process {

struct SupervisorOptions {
  std::string log_dir;  // created if missing
  Duration grace{10000};
  std::string address = "127.0.0.1";  // the {address} placeholder
};

class GameServerSupervisor final : public core::PayloadObserver {
 public:
  GameServerSupervisor(core::World& world, const Clock& clock, SupervisorOptions options,
                       std::function<std::string(const std::string&)> payload_api_of);
  ~GameServerSupervisor() override;

  void OnPayloadStarted(const core::Payload& payload, const core::Allocation& allocation) override;
  void OnPayloadRemoved(const std::string& payload_id) override;

  // The log file of `payload_id`, if it ever ran a process.
  std::optional<std::string> LogPathOf(const std::string& payload_id) const;
  // The pid of `payload_id`'s running process, if any.
  std::optional<pid_t> PidOf(const std::string& payload_id) const;
  // Terminates every child (SIGTERM, then SIGKILL after `grace` of real time),
  // reaps them and stops the supervisor thread. Idempotent.
  void StopAll(std::chrono::milliseconds grace);
  // Cuts a StopAll() grace short: every child is killed now. Any thread.
  void KillNow() { kill_now_ = true; }

 private:
  struct Launch {
    std::string payload_id;
    std::string command;
    std::vector<std::string> args;
    std::vector<std::string> env;  // NAME=value, the whole environment
  };
  struct Child {
    std::string payload_id;
    pid_t pid = -1;       // the keeper's
    pid_t game_pid = -1;  // the game server's, as PidOf() reports it
    int output = -1;      // read end of the stdout/stderr pipe
    int log = -1;         // the log file
    std::string partial;  // an unfinished output line
    bool terminating = false;
    Time kill_at;
  };

  void Loop();
  void EndAll(std::chrono::milliseconds grace);
  void Spawn(const Launch& launch);
  void ReadOutput(Child& child, std::vector<std::pair<std::string, std::string>>& lines);
  void Reap();
  void Terminate(Child& child, Time now);
  Launch Prepare(const core::Payload& payload, const core::Allocation& allocation) const;

  core::World& world_;
  const Clock& clock_;
  const SupervisorOptions options_;
  const std::function<std::string(const std::string&)> payload_api_of_;
  const pid_t self_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::vector<Launch> launches_;
  std::vector<std::string> terminations_;
  std::map<std::string, std::string> log_paths_;
  std::map<std::string, pid_t> pids_;
  bool stopping_ = false;
  std::chrono::milliseconds stop_grace_{0};
  std::atomic<bool> kill_now_{false};

  // Owned by the supervisor thread.
  std::vector<Child> children_;
  std::thread thread_;
};

}  // namespace imsemu::process
