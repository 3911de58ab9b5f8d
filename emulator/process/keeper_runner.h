// KeeperRunner: the real ProcessRunner. Each game server runs under a keeper
// (keeper.h), so that neither it nor any descendant outlives the emulator;
// its stdout and stderr come back through one pipe.
//
// Start() must be called on a thread that lives as long as the emulator (the
// supervisor's): a child's parent-death signal is tied to the forking thread.
#pragma once

#include <map>

#include "emulator/process/process_runner.h"

namespace imsemu::process {

class KeeperRunner final : public ProcessRunner {
 public:
  KeeperRunner();
  ~KeeperRunner() override;

  StatusOr<StartedProcess> Start(const ProcessLaunch& launch) override;
  void Terminate(int handle) override;
  void Kill(int handle) override;
  std::vector<ProcessNews> Wait(std::chrono::milliseconds timeout) override;

 private:
  const pid_t self_;
  struct Pipes {
    int output = -1;    // read end of the game server's output
    int game_end = -1;  // read end of how the game server ended
  };
  std::map<int, Pipes> outputs_;  // keeper pid -> its pipes
};

}  // namespace imsemu::process
