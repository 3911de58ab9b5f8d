// PlanLoader: reads a rehearsal plan (YAML) into a Plan, strictly.
//
// As the scenario loader: an unknown key is an error naming it with the
// nearest known one ("did you mean"), and every error names the file and
// line and the field's rule: "plan.yaml:7: demand.arrivals.poisson.per_minute
// must be a number >= 0". A plan that would run for ever is refused at load
// (limits on duration, rates, payloads and the sweep's size). yaml-cpp
// reports through exceptions; they never leave the loader.
#pragma once

#include <functional>
#include <string>

#include "emulator/rehearse/plan.h"
#include "ims_emulator/status.h"

namespace imsemu::rehearse {

// Limits a plan must keep (refused at load beyond them).
inline constexpr long long kMaxPlanDurationMs = 31LL * 86400000;  // 31 days
inline constexpr double kMaxArrivalsPerPlan = 20e6;               // expected players
inline constexpr int kMaxSweepSettings = 256;
inline constexpr int kMaxPayloads = 100000;
inline constexpr int kMaxRetries = 1000;
inline constexpr size_t kMaxCsvRows = 1000000;
inline constexpr size_t kMaxRollouts = 100;

// Reads a file a plan names (a CSV), by its path as written in the plan
// resolved against the plan's folder; an error names why it cannot.
using PlanFileReader = std::function<StatusOr<std::string>(const std::string& path)>;

StatusOr<Plan> LoadPlan(const std::string& path);
// Parses plan text; `path` names it in errors and anchors relative CSV
// paths, which `read` reads (the disk when not given).
StatusOr<Plan> ParsePlan(const std::string& text, const std::string& path,
                         const PlanFileReader& read = nullptr);

}  // namespace imsemu::rehearse
