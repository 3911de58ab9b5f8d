#include "emulator/explore/search.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace imsemu::explore {
namespace {

// The property `outcome` breaks first, if any.
std::optional<Violation> FirstBroken(const StatusOr<RunOutcome>& outcome) {
  if (!outcome.ok() || outcome->violations.empty()) return std::nullopt;
  return outcome->violations.front();
}

// Whether `outcome` breaks `property`.
bool BreaksProperty(const StatusOr<RunOutcome>& outcome, const std::string& property) {
  if (!outcome.ok()) return false;
  return std::any_of(outcome->violations.begin(), outcome->violations.end(),
                     [&](const Violation& v) { return v.property == property; });
}

// The lowest run whose program broke something. Runs are handed out in
// order; once one breaks something no new run starts, and the lowest run
// that broke something wins (the runs below it all finished): the same
// seed, the same finding, whatever the timing of the jobs.
struct FirstBreak {
  int run = 0;
  Program program;
  Violation violation;
};
StatusOr<std::optional<FirstBreak>> FindFirst(const check::CheckTarget& target,
                                              const SearchOptions& options, int& played) {
  std::atomic<int> next{0};
  std::atomic<bool> found{false};
  std::mutex mu;
  std::map<int, FirstBreak> broke;
  std::optional<Status> failed;
  auto worker = [&] {
    while (!found) {
      const int run = next++;
      if (run >= options.runs) return;
      const Program program = Draw(options.alphabet, options.seed, static_cast<uint64_t>(run));
      StatusOr<RunOutcome> outcome =
          Play(target, program, options.limits, "run-" + std::to_string(run));
      std::lock_guard lock(mu);
      ++played;
      if (!outcome.ok()) {
        if (!failed) failed = outcome.status();
        found = true;
        return;
      }
      if (std::optional<Violation> v = FirstBroken(outcome)) {
        broke.emplace(run, FirstBreak{run, program, *v});
        found = true;
      }
    }
  };
  std::vector<std::thread> jobs;
  for (int i = 0; i < std::max(1, options.jobs); ++i) jobs.emplace_back(worker);
  for (std::thread& t : jobs) t.join();
  if (failed) return *failed;
  if (broke.empty()) return std::optional<FirstBreak>();
  return std::optional<FirstBreak>(broke.begin()->second);
}

// Plays `program` `options.confirmations` times, `jobs` at a time, and
// counts in `f` how often it broke `property` again, keeping the first such
// play as the evidence.
void Confirm(const check::CheckTarget& target, const SearchOptions& options, const Program& program,
             const std::string& property, Finding& f) {
  std::vector<StatusOr<RunOutcome>> plays(static_cast<size_t>(options.confirmations),
                                          Status(StatusCode::kInternal, "not played"));
  std::atomic<int> next{0};
  std::vector<std::thread> players;
  for (int j = 0; j < std::min(std::max(1, options.jobs), options.confirmations); ++j) {
    players.emplace_back([&] {
      for (int i = next++; i < options.confirmations; i = next++) {
        plays[static_cast<size_t>(i)] =
            Play(target, program, options.limits, "confirm-" + std::to_string(i));
      }
    });
  }
  for (std::thread& t : players) t.join();
  f.confirmations = options.confirmations;
  f.reproduced = 0;
  for (StatusOr<RunOutcome>& again : plays) {
    if (!BreaksProperty(again, property)) continue;
    if (f.reproduced++ > 0) continue;
    f.evidence = *std::move(again);
    for (const Violation& v : f.evidence.violations) {
      if (v.property == property) f.violation = v;
    }
  }
}

}  // namespace

StatusOr<SearchResult> Search(const check::CheckTarget& target, const SearchOptions& options,
                              const std::function<void(const std::string&)>& progress) {
  IMSEMU_RETURN_IF_ERROR(check::CanStart(target));
  progress("playing " + std::to_string(options.runs) + " programs of seed " +
           std::to_string(options.seed) + ", " + std::to_string(options.jobs) + " at a time, " +
           std::to_string(options.alphabet.configs.size()) + " session configs");
  SearchResult result;
  IMSEMU_ASSIGN_OR_RETURN(std::optional<FirstBreak> first,
                          FindFirst(target, options, result.runs_played));
  if (!first) return result;
  const std::string& property = first->violation.property;
  progress("run " + std::to_string(first->run) + " broke " + property + ": " +
           first->violation.text);

  Finding f;
  f.run = static_cast<uint64_t>(first->run);
  f.found = first->program;
  f.violation = first->violation;
  std::atomic<int> attempt{0};
  const Shrunk shrunk = Shrink(
      f.found,
      [&](const Program& candidate) {
        return BreaksProperty(
            Play(target, candidate, options.limits, "shrink-" + std::to_string(attempt++)),
            property);
      },
      options.shrink_attempts, options.alphabet.configs, options.jobs);
  f.minimal = shrunk.program;
  f.shrink_attempts = shrunk.attempts;
  progress("shrunk from " + std::to_string(f.found.events.size()) + " events to " +
           std::to_string(f.minimal.events.size()) + " in " + std::to_string(shrunk.attempts) +
           " plays");
  Confirm(target, options, f.minimal, property, f);
  // Shrinking kept a program that broke it once by timing: the program as
  // found is what is reported then.
  if (f.reproduced == 0 && !(f.minimal == f.found)) {
    progress("the minimal program did not break it again: confirming the program as found");
    f.minimal = f.found;
    Confirm(target, options, f.minimal, property, f);
  }
  progress("the minimal program broke " + property + " again in " + std::to_string(f.reproduced) +
           " of " + std::to_string(f.confirmations) + " plays");
  result.finding = std::move(f);
  return result;
}

}  // namespace imsemu::explore
