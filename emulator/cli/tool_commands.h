// The commands that run no emulator of their own: `timeline` and `export`
// (they ask a running one), `lint` (fixture files), `scenario run` and
// `check` (each starts the emulators it needs), `rehearse` (simulates worlds
// in memory). Each writes what people read
// to the context's `out`, errors to its `err`, and returns the process's exit
// code.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "emulator/check/session.h"
#include "emulator/cli/context.h"
#include "ims_emulator/status.h"

namespace imsemu::cli {

struct RemoteFlags {
  std::string url = "http://127.0.0.1:9350";
  std::string out;  // the file to write ("-": standard output)
};
void AddTimelineFlags(CLI::App* app, RemoteFlags& f);
// A running emulator's journal as a Chrome trace; 0, or 1 after saying why.
int WriteTimeline(const RemoteFlags& f, const Context& c);

void AddExportFlags(CLI::App* app, RemoteFlags& f);
// A running emulator's whole world (a snapshot), written atomically: the file
// holds the old snapshot or the new one, never part. 0, or 1 after saying why.
int WriteExport(const RemoteFlags& f, const Context& c);

struct LintFlags {
  std::vector<std::string> files;
};
void AddLintFlags(CLI::App* app, LintFlags& f);
// 0 when no file has a finding, 1 when one has, 2 when one cannot be read.
int LintFixtureFiles(const LintFlags& f, const Context& c);

struct ScenarioRunFlags {
  std::vector<std::string> files;
  std::string junit;
  std::optional<uint64_t> seed;
  bool verbose = false;
};
// `scenario` and its one subcommand, `run`.
void AddScenarioFlags(CLI::App* scenario, ScenarioRunFlags& f);
// 0 when every scenario passes, 1 when one fails, 2 when the report cannot
// be written.
int RunScenarioFiles(const ScenarioRunFlags& f, const Context& c);

struct CheckFlags {
  std::string fixture;
  std::vector<std::string> case_files;
  std::string only;
  std::string junit;
  bool keep_logs = false;
  std::string container_runtime;
  std::vector<std::string> command;
};
void AddCheckFlags(CLI::App* app, CheckFlags& f);
// The game server `check` and `explore` drive (`tool` names which, in the
// error and the logs' folder): the fixture's first allocation with a command
// or an image, or `command` (with a GamePort when the fixture names no
// ports).
StatusOr<check::CheckTarget> GameServerTarget(const std::string& fixture,
                                              const std::vector<std::string>& command,
                                              const std::string& container_runtime,
                                              const std::string& tool);
// 0 when every case passes, 1 when one fails, 2 on a usage error.
int RunCheckCommand(const CheckFlags& f, const Context& c);

struct ExploreFlags {
  int runs = 50;
  uint64_t seed = 1;
  int jobs = 2;
  std::string out = "explore-findings";
  std::vector<std::string> config_examples = {R"({"max_players": 8, "map": "docks"})"};
  std::string fixture;
  std::string container_runtime;
  std::vector<std::string> command;
};
void AddExploreFlags(CLI::App* app, ExploreFlags& f);
// 0 when no run broke a property, 1 on a finding (reported, and written to
// --out), 2 on a usage error or a server that cannot start.
int RunExploreCommand(const ExploreFlags& f, const Context& c);

struct RehearseFlags {
  std::string plan;
  std::string json;  // "-": standard output
  std::string html;
  std::vector<std::string> targets;
  int jobs = 0;  // 0: one per core
  bool quiet = false;
};
void AddRehearseFlags(CLI::App* app, RehearseFlags& f);
// Simulates the plan's every setting and reports. 0 when done (and, with
// targets, a setting meets them), 1 when targets are given and no setting
// meets them, 2 on a bad plan, target or flag, or a report it cannot write.
int RunRehearseCommand(const RehearseFlags& f, const Context& c);

}  // namespace imsemu::cli
