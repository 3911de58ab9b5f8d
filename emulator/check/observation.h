// Observation: what one session of a check case saw, as plain data: every
// call the game server made over its Payload Local API, how its process
// ended, the journal's lines about its payload, its last output lines, and
// the moments the driver acted (the API came up, the session was created,
// SIGTERM was sent, the watch began and ended). Times are real milliseconds
// since the session started, since the game server runs in real time.
//
// The driver (check_runner) fills it in; the judgements (judgements.h) read
// it and nothing else, so every verdict is a pure function of it.
#pragma once

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "emulator/core/event.h"
#include "emulator/core/metadata.h"
#include "emulator/core/process_exit.h"

namespace imsemu::check {

enum class CallKind {
  kPayloadRead,    // Get Payload Details
  kReady,          // ready
  kLabelSet,       // set label
  kAnnotationSet,  // set annotation
  kConfigRead,     // read the session config
  kStatusRead,     // read its status
  kStatusSet,      // set status
};
// "Get Payload Details", "ready", ...: as the evidence names them.
const char* CallName(CallKind kind);

struct Call {
  double at_ms = 0;
  CallKind kind = CallKind::kPayloadRead;
  std::string state;                  // kPayloadRead: the state it was shown
  std::optional<std::string> config;  // kConfigRead: what it was given
  core::StringMap status;             // kStatusSet: the whole map
  std::string detail;                 // kLabelSet, kAnnotationSet: key=value
};

// A call the emulator refused (an error status), with its message: what a
// server that ignores its errors never tells.
struct Refusal {
  double at_ms = 0;
  std::optional<CallKind> kind;  // none: a path of no Payload Local API call
  std::string method;
  std::string path;  // as the Payload Local API names it (/api/v0/...)
  int status = 0;
  std::string message;
  // "set status refused: 400 session status value of 'players' must be a string"
  std::string Describe() const;
};

// The first end of the game server's process.
struct Exit {
  double at_ms = 0;  // when the driver saw it
  core::ProcessExit how;
};

constexpr double kForever = std::numeric_limits<double>::infinity();

struct Observation {
  std::vector<Call> calls;       // the accepted ones
  std::vector<Refusal> refused;  // the refused ones
  std::optional<Exit> exit;
  std::vector<core::Event> journal;  // the payload's, output lines left out
  std::vector<std::string> output;   // the end of what the process printed
  std::string log_path;              // where all of it is
  double ended_at = 0;               // when the driver stopped looking

  // What the driver did, when (none: it did not).
  std::optional<double> api_up_at;  // the Payload Local API began to answer
  // The session was asked for (the payload Reserved during that call).
  std::optional<double> reserved_at;
  std::string reservation_error;     // why creating it failed, if it did
  std::optional<double> watch_from;  // a watch window, for rates
  std::optional<double> watch_to;
  std::optional<double> sigterm_at;      // SIGTERM sent, its Payload Local API still up
  std::optional<double> match_ended_at;  // the messages that end a match were sent
  int faults_fired = 0;                  // injected 500s the server met

  // Calls of `kind` in [from, to).
  int Count(CallKind kind, double from = 0, double to = kForever) const;
  std::optional<double> First(CallKind kind, double from = 0) const;
  // The refusals of calls of `kind` at or after `from`.
  std::vector<const Refusal*> Refused(CallKind kind, double from = 0) const;
  // The time of the last call, accepted or refused (none: no call).
  std::optional<double> LastCallAt() const;
  // The process had ended by `at`.
  bool ExitedBy(double at) const { return exit && exit->at_ms <= at; }
  bool Ready() const { return Count(CallKind::kReady) > 0; }
  // The calls summed up, then the last few: the evidence a person reads.
  std::vector<std::string> Evidence() const;
};

}  // namespace imsemu::check
