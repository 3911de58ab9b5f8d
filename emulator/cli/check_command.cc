// `check`: the studio's game server through the check cases.
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "emulator/check/check_cases.h"
#include "emulator/check/check_runner.h"
#include "emulator/cli/tool_commands.h"
#include "emulator/codec/allocation_json.h"

namespace imsemu::cli {
StatusOr<check::CheckTarget> GameServerTarget(const std::string& fixture,
                                              const std::vector<std::string>& command,
                                              const std::string& container_runtime,
                                              const std::string& tool) {
  check::CheckTarget target;
  if (!fixture.empty()) {
    IMSEMU_ASSIGN_OR_RETURN(target.fixture, codec::LoadFixtureFile(fixture));
    for (const auto& project : target.fixture.projects) {
      for (const auto& a : project.allocations) {
        if (command.empty() && !target.spec.payload_spec.RunsGameServer() &&
            a.spec.payload_spec.RunsGameServer()) {
          target.spec = a.spec;
        }
      }
    }
  }
  if (!command.empty()) {
    target.spec.payload_spec.image.clear();
    target.spec.payload_spec.command = command.front();
    target.spec.payload_spec.args.assign(command.begin() + 1, command.end());
    if (target.spec.payload_spec.ports.empty()) {
      target.spec.payload_spec.ports.push_back({"GamePort", 7777, "UDP"});
    }
  }
  if (!target.spec.payload_spec.RunsGameServer()) {
    return InvalidArgument(
        tool +
        " needs the game server: -- COMMAND ARGS..., or a --fixture whose allocation has a "
        "payload_spec.command or payload_spec.image");
  }
  target.container_runtime = container_runtime;
  target.log_dir = (std::filesystem::temp_directory_path() /
                    ("ims-emulator-" + tool + "-" + std::to_string(getpid())))
                       .string();
  return target;
}

namespace {

// The built-in cases, then the files', narrowed by --only.
StatusOr<std::vector<check::CheckCase>> CasesOf(const CheckFlags& f, bool have_fixture) {
  std::vector<check::CheckCase> cases = check::DefaultCheckCases();
  if (!have_fixture) {
    // Linting the check's own world would test nothing: without --fixture
    // the lint cases are left out (and asking for one is an error).
    std::erase_if(cases, [](const check::CheckCase& c) { return c.kind == check::Probe::kLint; });
  }
  for (const std::string& file : f.case_files) {
    IMSEMU_ASSIGN_OR_RETURN(std::vector<check::CheckCase> more, check::LoadCheckCases(file));
    cases.insert(cases.end(), more.begin(), more.end());
  }
  return check::SelectCases(cases, f.only);
}

}  // namespace

void AddCheckFlags(CLI::App* app, CheckFlags& f) {
  app->add_option("--fixture", f.fixture,
                  "the world: its allocation's command runs, and it is linted");
  app->add_option("--cases", f.case_files, "more cases, in the shape of checks/default.yaml");
  app->add_option("--only", f.only, "run these cases (comma-separated names)");
  app->add_option("--junit", f.junit, "write a JUnit XML report to this file");
  app->add_flag("--keep-logs", f.keep_logs,
                "keep the game-server logs' temporary folder even when every case passes");
  app->add_option("--container-runtime", f.container_runtime,
                  "what runs a payload_spec.image: podman, docker or a path to either");
  app->add_option("command", f.command, "the game server and its arguments, after --");
}

int RunCheckCommand(const CheckFlags& f, const Context& c) {
  std::ostream& out = c.out;
  std::ostream& err = c.err;
  spdlog::set_level(spdlog::level::warn);
  StatusOr<check::CheckTarget> target =
      GameServerTarget(f.fixture, f.command, f.container_runtime, "check");
  if (!target.ok()) {
    err << "ims-emulator: " << target.status().message() << "\n";
    return 2;
  }
  StatusOr<std::vector<check::CheckCase>> cases = CasesOf(f, !target->fixture.projects.empty());
  if (!cases.ok()) {
    err << "ims-emulator: " << cases.status().message() << "\n";
    return 2;
  }
  auto run = check::RunChecks(*target, *cases, [&out](const check::CheckResult& r) {
    out << check::ResultText(r) << std::flush;
  });
  if (!run.ok()) {
    err << "ims-emulator: check: " << run.status().message() << "\n";
    return 2;
  }
  const std::vector<harness::CaseResult> results(run->begin(), run->end());
  const bool all_passed = std::all_of(results.begin(), results.end(),
                                      [](const harness::CaseResult& r) { return r.passed(); });
  // The logs are kept where they help: a failed case, or when asked.
  out << harness::Tally(results);
  if (all_passed && !f.keep_logs) {
    std::error_code ignored;
    std::filesystem::remove_all(target->log_dir, ignored);
    out << " (game-server logs removed from " << target->log_dir << "; --keep-logs keeps them)\n";
  } else {
    out << " (game-server logs kept in " << target->log_dir << ")\n";
  }
  if (!f.junit.empty()) {
    if (Status s = harness::WriteJUnit(f.junit, "check", results); !s.ok()) {
      err << "ims-emulator: " << s.message() << "\n";
      return 2;
    }
  }
  return all_passed ? 0 : 1;
}

}  // namespace imsemu::cli
