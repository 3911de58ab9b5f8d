// Program: one run of `ims-emulator explore`, a short sequence of IMS events
// played against a real game server through one lifetime of its payload:
// outages and error answers of its Payload Local API, pauses, virtual-clock
// jumps across the status cache, the reservation with a session config, and
// SIGTERM (the payload deleted) at any point. Drawn from a seed: the same
// seed and run number give the same program on every machine. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "emulator/clock/clock.h"

namespace imsemu::explore {

enum class EventKind {
  kPause,    // real time passes (and the virtual clock with it)
  kAdvance,  // the virtual clock jumps (the status cache refreshes), no real wait
  kOutage,   // the Payload Local API answers nothing for `duration`
  kErrors,   // its next `times` calls are answered `status`
  kReserve,  // a game client creates a session with `config`
  kSigterm,  // the payload is deleted: SIGTERM, its API still answering
};
// "pause", "advance", "outage", "errors", "reserve", "sigterm".
const char* EventKindName(EventKind kind);

struct Event {
  EventKind kind = EventKind::kPause;
  Duration duration{0};  // kPause, kAdvance, kOutage
  int status = 0;        // kErrors
  int times = 0;         // kErrors
  std::string config;    // kReserve

  static Event Timed(EventKind kind, Duration d);  // kPause, kAdvance, kOutage
  static Event Errors(int status, int times);
  static Event Reserve(std::string config);
  static Event Sigterm();

  // "outage 1500ms", "errors 503 x2", "reserve '{\"map\": 7}'": one line,
  // the config quoted as printable text and cut.
  std::string Describe() const;
  friend bool operator==(const Event&, const Event&) = default;
};

struct Program {
  std::vector<Event> events;

  // One event a line, numbered from 1.
  std::string Describe() const;
  bool Reserves() const;
  friend bool operator==(const Program&, const Program&) = default;
};

// What programs are drawn from.
struct Alphabet {
  // The session configs a reservation may carry (configs.h draws them).
  std::vector<std::string> configs;
  int max_events = 8;
  Duration max_pause{3000};
  Duration max_outage{4000};
  Duration max_advance{15000};
};

// The program of run `run` of a search seeded with `seed`: at most one
// reservation and one SIGTERM (its last event); a program that does not
// reserve is drawn at most one time in four.
Program Draw(const Alphabet& alphabet, uint64_t seed, uint64_t run);

}  // namespace imsemu::explore
