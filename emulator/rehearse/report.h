// Report: a rehearsal's results as JSON, the targets they are judged by, and
// the sweep that makes them.
//
// The JSON report is the one source of the figures: a target's metric is a
// path into a result's JSON ("refused_fraction", "time_to_session_ms.p99"),
// the HTML report and the CLI's table read the same values. Nothing in it
// depends on the machine or the wall clock: the same plan and seed give the
// same bytes.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/rehearse/plan.h"
#include "emulator/rehearse/simulation.h"
#include "ims_emulator/status.h"

namespace imsemu::rehearse {

// "refused_fraction<0.001": a metric, one of < <= > >=, a number.
struct Target {
  std::string text;
  std::string metric;
  std::string op;
  double value = 0;
};
// InvalidArgument naming the rule, and the metrics there are (with a "did
// you mean" for a near miss).
StatusOr<Target> ParseTarget(const std::string& text);
// Every metric a target may name.
std::vector<std::string> MetricNames();
// The rollout_ metrics: only a plan with rollouts has them.
bool IsRolloutMetric(const std::string& metric);

// One result as the report writes it.
nlohmann::json ResultJson(const Result& result);
// The metric's value in a result's JSON (nullopt: no such number).
std::optional<double> MetricOf(const nlohmann::json& result, const std::string& metric);
bool Meets(const nlohmann::json& result, const std::vector<Target>& targets);
// The result meeting every target with the fewest payload hours (the first
// of equals); nullopt when none does.
std::optional<size_t> Cheapest(const nlohmann::json& results, const std::vector<Target>& targets);

// The index of the report's cheapest result meeting its targets; -1 when it
// has no targets or no result meets them.
long long CheapestIndex(const nlohmann::json& report);

// Settings as the report writes them: {"buffer_size": 10, ...}.
nlohmann::json SettingsJson(const Settings& settings);
// A result's settings for people, in the plan's order of fields:
// "buffer_size 10, min_payloads 0, max_payloads 500".
std::string SettingsText(const nlohmann::json& settings);

// The whole report: the plan, the targets and which result is the cheapest
// meeting them (when targets are given), and every result.
nlohmann::json ReportJson(const Plan& plan, const std::vector<Result>& results,
                          const std::vector<Target>& targets);

// Runs every setting of the plan's sweep, `jobs` at a time (settings are
// independent worlds), results in the sweep's order. `done` is told after
// each setting ends (its index), from the thread that ran it, one at a time.
std::vector<Result> RunSweep(const Plan& plan, int jobs,
                             const std::function<void(size_t index)>& done = nullptr);

}  // namespace imsemu::rehearse
