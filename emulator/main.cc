// ims-emulator: the command line, as a table of commands (name, help, flags,
// run), in the shape of ninja's tool table. Each command's flags and body
// live in emulator/cli/, tested there; nothing else lives here.
#include <algorithm>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "emulator/cli/mistakes.h"
#include "emulator/cli/serve_command.h"
#include "emulator/cli/tool_commands.h"

namespace {

using imsemu::cli::Context;

struct Command {
  const char* name;
  const char* help;
  // Declares the command's flags on its CLI11 subcommand and returns what
  // runs it once they are parsed.
  std::function<std::function<int(const Context&)>(CLI::App*)> declare;
};

// A row from a flags type, the function declaring them and the body.
template <typename Flags>
Command Row(const char* name, const char* help, void (*add_flags)(CLI::App*, Flags&),
            std::function<int(const Flags&, const Context&)> run) {
  return {name, help, [add_flags, run](CLI::App* app) {
            auto flags = std::make_shared<Flags>();
            add_flags(app, *flags);
            return std::function<int(const Context&)>(
                [flags, run](const Context& context) { return run(*flags, context); });
          }};
}

std::vector<Command> Commands() {
  using namespace imsemu::cli;
  return {
      Row<ServeFlags>("serve", "run the emulator on a fixture", AddServeFlags, Serve),
      Row<ExecFlags>("exec",
                     "start the emulator, run a command beside it (IMS_EMULATOR_URL and friends "
                     "in its environment), stop, and exit with the command's code",
                     AddExecFlags, Exec),
      Row<PayloadLocalApiFlags>("payload-local-api",
                                "drop-in for `ims orchestration payload-local-api`: one payload",
                                AddPayloadLocalApiFlags, ServePayloadLocalApi),
      Row<ScenarioRunFlags>("scenario", "scenario scripts", AddScenarioFlags, RunScenarioFiles),
      Row<RemoteFlags>("timeline",
                       "write a running emulator's journal as a Chrome trace (Perfetto)",
                       AddTimelineFlags, WriteTimeline),
      Row<RemoteFlags>(
          "export", "write a running emulator's whole world, clock and journal to a snapshot file",
          AddExportFlags, WriteExport),
      Row<LintFlags>("lint",
                     "check fixture files against IMS's integration guide (exit 1 on a finding)",
                     AddLintFlags, LintFixtureFiles),
      Row<RehearseFlags>("rehearse",
                         "simulate a plan's players and game servers on the virtual clock, "
                         "for each allocation setting of its sweep, and report what each costs",
                         AddRehearseFlags, RunRehearseCommand),
      Row<CheckFlags>("check",
                      "put a game server through IMS's realities (checks/default.yaml) and report",
                      AddCheckFlags, RunCheckCommand),
      Row<ExploreFlags>("explore",
                        "play seeded sequences of IMS events against a game server until one "
                        "breaks a property, and shrink it to the smallest that still does",
                        AddExploreFlags, RunExploreCommand),
  };
}

// CLI11 prints the error (or the help asked for); every mistake in the
// command line exits 2, as the commands' own usage errors do (CLI11's codes,
// such as 105 for a value not in a list, are its own).
int UsageExit(const CLI::App& app, const CLI::Error& e) { return app.exit(e) == 0 ? 0 : 2; }

}  // namespace

int main(int argc, char** argv) {
  const Context context{std::cout, std::cerr, imsemu::cli::BlockStopSignals()};
  const std::vector<Command> commands = Commands();
  CLI::App app{"ims-emulator: a local emulator of Improbable's IMS zeuz and Session Manager"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("ims-emulator ") + IMSEMU_VERSION);
  app.option_defaults()->always_capture_default();

  // CLI11 says only "A subcommand is required" for a misspelt one.
  if (argc > 1 && argv[1][0] != '-' &&
      std::none_of(commands.begin(), commands.end(),
                   [&](const Command& c) { return argv[1] == std::string(c.name); })) {
    std::string names;
    for (const Command& c : commands) names += (names.empty() ? "" : ", ") + std::string(c.name);
    std::vector<std::string> known;
    for (const Command& c : commands) known.emplace_back(c.name);
    std::cerr << "ims-emulator: " << imsemu::cli::UnknownCommand(argv[1], known) << " (" << names
              << "; --help)\n";
    return 2;
  }

  std::vector<std::pair<CLI::App*, std::function<int(const Context&)>>> runs;
  for (const Command& c : commands) {
    CLI::App* sub = app.add_subcommand(c.name, c.help);
    runs.emplace_back(sub, c.declare(sub));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ExtrasError& e) {
    for (const auto& [sub, run] : runs) {
      if (!sub->parsed()) continue;
      if (const std::string unknown = imsemu::cli::UnknownFlag(*sub, argc, argv);
          !unknown.empty()) {
        std::cerr << "ims-emulator " << sub->get_name() << ": " << unknown << " (ims-emulator "
                  << sub->get_name() << " --help lists them)\n";
        return 2;
      }
    }
    return UsageExit(app, e);
  } catch (const CLI::ParseError& e) {
    return UsageExit(app, e);
  }
  for (const auto& [sub, run] : runs) {
    if (sub->parsed()) return run(context);
  }
  return 2;  // require_subcommand(1) leaves no way here
}
