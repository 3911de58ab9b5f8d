// `scenario run`: scenario files, each in a fresh emulator.
#include <cstdio>

#include <spdlog/spdlog.h>

#include "emulator/cli/tool_commands.h"
#include "emulator/harness/scenario_runner.h"
#include "emulator/scenario/scenario_loader.h"

namespace imsemu::cli {

void AddScenarioFlags(CLI::App* scenario, ScenarioRunFlags& f) {
  scenario->require_subcommand(1);
  CLI::App* run = scenario->add_subcommand("run", "run scenario files");
  run->add_option("files", f.files, "scenario files (YAML or JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  run->add_option("--junit", f.junit, "write a JUnit XML report to this file");
  run->add_option_function<uint64_t>(
      "--seed", [&f](const uint64_t& seed) { f.seed = seed; }, "override every scenario's seed");
  run->add_flag("--verbose", f.verbose, "log every step");
}

int RunScenarioFiles(const ScenarioRunFlags& f, const Context& c) {
  std::ostream& out = c.out;
  std::ostream& err = c.err;
  spdlog::set_level(spdlog::level::warn);
  std::vector<harness::CaseResult> results;
  scenario::RunOptions options;
  options.seed = f.seed;
  if (f.verbose) options.verbose = &out;
  for (const std::string& file : f.files) {
    auto loaded = scenario::LoadScenario(file);
    scenario::ScenarioResult r;
    if (!loaded.ok()) {
      r = scenario::LoadFailure(file, loaded.status().message());
    } else {
      if (f.verbose) out << "RUN  " << file << " (" << loaded->name << ")\n";
      r = scenario::RunScenario(*loaded, options);
    }
    if (r.passed()) {
      char line[64];
      std::snprintf(line, sizeof line, " (%d steps, %.1f s virtual, %.1f ms wall)\n", r.steps_run,
                    static_cast<double>(r.virtual_elapsed.count()) / 1000.0, r.wall_ms);
      out << "PASS " << r.file << ": " << r.name << line;
    } else {
      out << r.report;
    }
    results.push_back(std::move(r));
  }
  out << harness::Tally(results) << "\n" << std::flush;
  if (!f.junit.empty()) {
    if (Status s = harness::WriteJUnit(f.junit, "scenarios", results); !s.ok()) {
      err << "ims-emulator: " << s.message() << "\n";
      return 2;
    }
  }
  for (const harness::CaseResult& r : results) {
    if (!r.passed()) return 1;
  }
  return 0;
}

}  // namespace imsemu::cli
