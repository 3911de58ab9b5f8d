// Recorder: `serve --record FILE.yaml` — writes, as a session runs, a
// scenario that replays it.
//
// Every call that a game client, a game server or an orchestration caller
// makes, and every control call that changes the world, becomes a step in
// the scenario format the runner reads, with an `expect` block taken from
// the answer actually seen (status and body, ids as saved variables). Time
// between calls becomes `emulator.advance` steps: exact under the virtual
// clock, rounded to 100 ms under the real one (the header says which).
// Each step is written to the file before its answer is sent, so a crash
// or a SIGKILL of the emulator keeps every call that was acknowledged.
// Polls that change nothing are not written again and again: a read (a GET)
// whose step and answer are the same as an earlier read's, with only reads
// since, adds to that step's `times` (the file's tail is rewritten in one
// write), so an idle game server polling for ten minutes is one step. While
// a fault may be in force (after fault.add or a restore, until fault.clear)
// reads are written one by one: a fault answers and counts them in order.
// Secrets are never written: an Authorization header is replaced by the
// runner's own. Calls that no step kind can express (reading the control
// API, the dashboard, an import by file) are left out; the few that change
// the world are written as comments saying so. Thread-safe.
#pragma once

#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/clock/clock.h"
#include "emulator/core/status_cache.h"
#include "emulator/core/world.h"
#include "emulator/util/mutex.h"
#include "ims_emulator/status.h"

namespace imsemu::scenario {

// One HTTP exchange as the emulator saw it.
struct RecordedCall {
  std::string payload_id;  // the payload whose own port answered; "" on the main port
  std::string method;
  std::string path;  // without the query
  std::map<std::string, std::string> query;
  bool has_authorization = false;
  std::string body;
  int status = 0;
  std::string response_body;
};

// What the recorded scenario starts from.
struct RecordingWorld {
  core::Fixture fixture;
  uint64_t seed = 1;
  bool virtual_clock = true;
  core::StatusCache status_cache;
  // Game servers run as processes: their ports are the OS's, not replayed.
  bool real_game_servers = false;
};

// A step: its kind and parameters, the variable its answer's id is saved
// in, and what its answer must be. Empty kind: a comment.
struct RecordedStep {
  std::string kind;
  nlohmann::json params;
  std::string comment;
  std::optional<std::pair<std::string, std::string>> save;  // {variable, path}
  int status = 0;
  nlohmann::json body_expectations = nlohmann::json::object();  // path -> value
  // A read answered the same several times: how many, from first to last.
  int times = 1;
  Duration span{0};
};

// The step that replays `call`, or nullopt for a call that changes nothing
// and is not a client's, a game server's or an orchestration caller's.
// `variables` maps ids handed out so far to variable names; a new id saved
// by this step is added. Pure.
std::optional<RecordedStep> StepFor(const RecordedCall& call, const RecordingWorld& world,
                                    std::map<std::string, std::string>& variables);

// The scenario's header: world, seed, clock, status cache. Pure.
std::string HeaderText(const RecordingWorld& world, const std::string& path);
// A step as the scenario file holds it (YAML; its values in JSON flow
// style). Pure.
std::string StepText(const RecordedStep& step);

class Recorder {
 public:
  // Creates `path` and writes the scenario's header; an existing file is
  // refused (InvalidArgument) unless `overwrite`.
  static StatusOr<std::unique_ptr<Recorder>> Open(const std::string& path, bool overwrite,
                                                  RecordingWorld world, Time start);
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Appends the steps that replay `call`, answered at `now`: an advance for
  // the time since the last call, then the call. Written before returning.
  void Record(const RecordedCall& call, Time now);
  // A game-server process exited with `code` at `now`: an emulator.exit
  // step stands in for it on replay.
  void RecordExit(const std::string& payload_id, int code, Time now);

  // Recorded calls are handled one at a time, so that the file's order is
  // the order the world saw them in: Hold() before one is handled (or an
  // exit passed on), Release() once it is recorded.
  void Hold() IMSEMU_ACQUIRE(turn_) { turn_.lock(); }
  void Release() IMSEMU_RELEASE(turn_) { turn_.unlock(); }

  // Whether a call is one a recording replays: every call to a payload's
  // own port and to the public APIs, and control calls that change the
  // world; not reading the control API or the dashboard.
  static bool Replays(const std::string& method, const std::string& path, bool payload_port);

 private:
  // A read step written since the last step that was not a read, with the
  // advance written before it.
  struct Read {
    std::string advance;
    RecordedStep step;
    std::string identity;  // its text as first written
    Time first;
  };

  Recorder(std::FILE* file, RecordingWorld world, Time start);
  void Append(const std::string& text) IMSEMU_REQUIRES(mu_);
  // Writes the reads again from where the first one starts.
  void RewriteReads() IMSEMU_REQUIRES(mu_);

  Mutex turn_;
  Mutex mu_;
  std::FILE* file_;
  const RecordingWorld world_;
  Time last_ IMSEMU_GUARDED_BY(mu_);
  std::map<std::string, std::string> variables_ IMSEMU_GUARDED_BY(mu_);
  long long size_ IMSEMU_GUARDED_BY(mu_) = 0;         // bytes written
  std::vector<Read> reads_ IMSEMU_GUARDED_BY(mu_);    // since the last other step
  long long reads_start_ IMSEMU_GUARDED_BY(mu_) = 0;  // where reads_[0] is written
  bool faults_ IMSEMU_GUARDED_BY(mu_) = false;        // since fault.add (or a restore)
};

}  // namespace imsemu::scenario
