// Session: one fresh emulator on the virtual clock with a studio's game
// server as its one payload's process (one allocation, `buffer_size` 1,
// `max_payloads` 1), and what has been seen of it so far: every call the
// server made over its Payload Local API (accepted as the world tells them,
// refused as the listeners saw them), its process's end and the journal's
// lines about its payload, as an Observation timed on the session's
// stopwatch. `check`'s probes and `explore`'s runs drive the server through
// it; what they make of the observation is pure (judgements.h, explore's
// properties.h).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "emulator/check/observation.h"
#include "emulator/clock/stopwatch.h"
#include "emulator/core/world.h"
#include "ims_emulator/status.h"

namespace imsemu {
class EmulatorImpl;
}

namespace imsemu::check {

struct CheckTarget {
  // The allocation the server runs in: its command, args, env and ports.
  // The session serves session_type "check" from it, one payload at a time.
  core::AllocationSpec spec;
  // The world it came from, for the lint probe (empty: none given).
  core::Fixture fixture;
  // Where each session's game-server log goes (a folder per name).
  std::string log_dir;
  // What runs a payload_spec.image ("": podman, else docker, on PATH).
  std::string container_runtime;
};

// What runs first: the command, or the container runtime for an image.
std::string WhatStarts(const CheckTarget& target);

// Whether the target's command (or its container runtime and image) can be
// started, as the supervisor would start it: InvalidArgument naming what
// is missing, before any session.
Status CanStart(const CheckTarget& target);

class CallLog;

class Session {
 public:
  // Starts the emulator and the server, its logs under `name`; the payload's
  // Payload Local API answers nothing for `api_down` at first.
  static StatusOr<std::unique_ptr<Session>> Start(const CheckTarget& target,
                                                  const std::string& name,
                                                  Duration api_down = Duration(0));
  ~Session();  // stops the server first

  EmulatorImpl& e() { return *emulator_; }
  // Real milliseconds since the session started.
  double Now() const { return since_.ElapsedMs(); }
  const std::string& payload_id() const { return payload_id_; }

  // Brings the observation up to now: the calls, the process's end and the
  // journal's lines about the payload.
  const Observation& Look();
  // Waits in real time (the server runs in real time), at most `seconds`,
  // until `done` holds for what was seen; looks again on every journal event
  // and every 50 ms. Whether it held is judged from the observation.
  void WaitFor(const std::function<bool(const Observation&)>& done, double seconds);
  // Waits `seconds` of real time, looking all along.
  void Pass(double seconds);
  // Waits for the server to be Ready (or gone).
  void Boot(double seconds);
  // A game client creates a session: the payload is Reserved with `config`.
  // The reservation is stamped when the call began: the server may see it,
  // and read its config, before the call returns here.
  void CreateSession(const std::string& config);
  Observation& seen() { return seen_; }
  std::optional<core::Payload> Payload();
  // SIGTERM; its Payload Local API keeps answering.
  void AskToLeave();

  // The observation, complete: looked at once more, with the output's end.
  Observation Finish();

 private:
  Session();

  const Stopwatch since_;
  std::unique_ptr<CallLog> calls_;
  Observation seen_;
  long long journal_seq_ = 0;
  std::string payload_id_;
  std::unique_ptr<EmulatorImpl> emulator_;
};

}  // namespace imsemu::check
