#include "emulator/explore/program.h"

#include <algorithm>

#include "emulator/check/judgements.h"
#include "emulator/util/id_source.h"

namespace imsemu::explore {
namespace {

// A duration in [1, max] ms, in steps of 100 ms (programs read as people write them).
Duration Steps(IdSource& random, Duration max) {
  const int steps = static_cast<int>(std::max<long long>(1, max.count() / 100));
  return Duration(100LL * random.NextInRange(1, steps));
}

constexpr int kErrorStatuses[] = {500, 502, 503, 429};

}  // namespace

const char* EventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kPause:
      return "pause";
    case EventKind::kAdvance:
      return "advance";
    case EventKind::kOutage:
      return "outage";
    case EventKind::kErrors:
      return "errors";
    case EventKind::kReserve:
      return "reserve";
    case EventKind::kSigterm:
      return "sigterm";
  }
  return "?";
}

Event Event::Timed(EventKind kind, Duration d) {
  Event e;
  e.kind = kind;
  e.duration = d;
  return e;
}

Event Event::Errors(int status, int times) {
  Event e;
  e.kind = EventKind::kErrors;
  e.status = status;
  e.times = times;
  return e;
}

Event Event::Reserve(std::string config) {
  Event e;
  e.kind = EventKind::kReserve;
  e.config = std::move(config);
  return e;
}

Event Event::Sigterm() {
  Event e;
  e.kind = EventKind::kSigterm;
  return e;
}

std::string Event::Describe() const {
  std::string text = EventKindName(kind);
  switch (kind) {
    case EventKind::kPause:
    case EventKind::kAdvance:
    case EventKind::kOutage:
      return text + " " + std::to_string(duration.count()) + "ms";
    case EventKind::kErrors:
      return text + " " + std::to_string(status) + " x" + std::to_string(times);
    case EventKind::kReserve:
      return text + " " + check::Excerpt(config, 80);
    case EventKind::kSigterm:
      return text;
  }
  return text;
}

std::string Program::Describe() const {
  std::string text;
  for (size_t i = 0; i < events.size(); ++i) {
    text += std::to_string(i + 1) + ". " + events[i].Describe() + "\n";
  }
  return text;
}

bool Program::Reserves() const {
  return std::any_of(events.begin(), events.end(),
                     [](const Event& e) { return e.kind == EventKind::kReserve; });
}

Program Draw(const Alphabet& alphabet, uint64_t seed, uint64_t run) {
  // One stream per run: run n's program does not depend on how many runs
  // came before it (runs go in parallel, and a search resumes).
  IdSource random(SplitMix64(seed ^ SplitMix64(run + 1)));
  Program program;
  const int length = random.NextInRange(1, std::max(1, alphabet.max_events));
  // Where the reservation goes (most programs have one), and whether the
  // program ends with SIGTERM.
  const bool reserves = !alphabet.configs.empty() && random.NextInRange(0, 3) != 0;
  const int reserve_at = reserves ? random.NextInRange(0, length - 1) : -1;
  const bool sigterm = random.NextInRange(0, 1) == 1;
  for (int i = 0; i < length; ++i) {
    if (i == reserve_at) {
      program.events.push_back(Event::Reserve(alphabet.configs[static_cast<size_t>(
          random.NextInRange(0, static_cast<int>(alphabet.configs.size()) - 1))]));
      continue;
    }
    if (i == length - 1 && sigterm) {
      program.events.push_back(Event::Sigterm());
      continue;
    }
    switch (random.NextInRange(0, 3)) {
      case 0:
        program.events.push_back(
            Event::Timed(EventKind::kPause, Steps(random, alphabet.max_pause)));
        break;
      case 1:
        program.events.push_back(
            Event::Timed(EventKind::kAdvance, Steps(random, alphabet.max_advance)));
        break;
      case 2:
        program.events.push_back(
            Event::Timed(EventKind::kOutage, Steps(random, alphabet.max_outage)));
        break;
      default: {
        const int status = kErrorStatuses[random.NextInRange(0, 3)];
        program.events.push_back(Event::Errors(status, random.NextInRange(1, 3)));
        break;
      }
    }
  }
  // SIGTERM ends a program: after a reservation drawn last, it follows it.
  if (sigterm && reserve_at == length - 1) program.events.push_back(Event::Sigterm());
  return program;
}

}  // namespace imsemu::explore
