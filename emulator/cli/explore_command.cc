// `explore`: seeded programs of IMS events against the studio's game server
// until one breaks a property; the smallest program that still breaks it,
// and how often it does.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "emulator/check/check_cases.h"
#include "emulator/check/judgements.h"
#include "emulator/cli/tool_commands.h"
#include "emulator/explore/configs.h"
#include "emulator/explore/search.h"
#include "emulator/util/utf8.h"

namespace imsemu::cli {
namespace {

// The hostile configs `check` serves (checks/default.yaml).
std::vector<std::string> HostileConfigs() {
  std::vector<std::string> out;
  for (const check::CheckCase& c : check::DefaultCheckCases()) {
    if (c.kind != check::Probe::kHostileConfigs) continue;
    for (const nlohmann::json& config : c.params["configs"]) {
      if (StatusOr<std::string> text = check::TextParam(config, "configs"); text.ok()) {
        out.push_back(*std::move(text));
      }
    }
  }
  return out;
}

std::string Quoted(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) {
    const bool plain = !w.empty() && w.find_first_of(" '\"\\$`!*?()[]{};&|<>") == std::string::npos;
    out += " " + (plain ? w : "'" + w + "'");
  }
  return out;
}

// The finding as people read it (and --out keeps it).
std::string Report(const explore::Finding& f, const ExploreFlags& flags, int runs_played) {
  std::ostringstream out;
  out << "FINDING " << f.violation.property << ": " << f.violation.text << "\n";
  out << "  found by run " << f.run << " of seed " << flags.seed << " (" << runs_played
      << " runs played); shrunk from " << f.found.events.size() << " events to "
      << f.minimal.events.size() << " in " << f.shrink_attempts << " plays\n";
  out << "  the minimal program broke it again in " << f.reproduced << " of " << f.confirmations
      << " plays" << (f.reproduced == f.confirmations ? "" : " (timing decides: not certain)")
      << ":\n";
  std::istringstream program(f.minimal.Describe());
  for (std::string line; std::getline(program, line);) out << "    " << line << "\n";
  if (!f.evidence.seen.output.empty()) {
    out << "  the server's last output (" << f.evidence.log_path << "):\n";
    for (const std::string& line : f.evidence.seen.output) {
      out << "    " << check::Excerpt(line, 200) << "\n";
    }
  }
  out << "  search again: ims-emulator explore --seed " << flags.seed << " --runs " << flags.runs
      << (flags.fixture.empty() ? "" : " --fixture " + flags.fixture) << " --"
      << Quoted(flags.command) << "\n";
  return out.str();
}

}  // namespace

void AddExploreFlags(CLI::App* app, ExploreFlags& f) {
  app->add_option("--runs", f.runs, "programs to play before calling the search empty")
      ->check(CLI::Range(1, 100000));
  app->add_option("--seed", f.seed, "the seed of the programs: the same seed, the same programs");
  app->add_option("--jobs", f.jobs, "programs played at once, each against its own emulator")
      ->check(CLI::Range(1, 64));
  app->add_option("--out", f.out, "the folder the finding is written to");
  app->add_option("--config", f.config_examples,
                  "an example session config of the game (repeat it); the search also serves "
                  "their mutations and check's hostile configs");
  app->add_option("--fixture", f.fixture, "the world whose allocation's command (or image) runs");
  app->add_option("--container-runtime", f.container_runtime,
                  "what runs a payload_spec.image: podman, docker or a path to either");
  app->add_option("command", f.command, "the game server and its arguments, after --");
}

int RunExploreCommand(const ExploreFlags& f, const Context& c) {
  std::ostream& out = c.out;
  std::ostream& err = c.err;
  spdlog::set_level(spdlog::level::warn);
  StatusOr<check::CheckTarget> target =
      GameServerTarget(f.fixture, f.command, f.container_runtime, "explore");
  if (!target.ok()) {
    err << "ims-emulator: " << target.status().message() << "\n";
    return 2;
  }
  explore::SearchOptions options;
  options.runs = f.runs;
  options.seed = f.seed;
  options.jobs = f.jobs;
  options.alphabet.configs = explore::ConfigGrammar(f.config_examples, HostileConfigs());
  StatusOr<explore::SearchResult> result =
      explore::Search(*target, options, [&out](const std::string& line) {
        out << "  " << PrintableText(line) << "\n" << std::flush;
      });
  if (!result.ok()) {
    err << "ims-emulator: explore: " << result.status().message() << "\n";
    return 2;
  }
  if (!result->finding) {
    out << "nothing broke in " << result->runs_played << " runs (seed " << f.seed << ")\n";
    std::error_code ignored;
    std::filesystem::remove_all(target->log_dir, ignored);
    return 0;
  }
  const std::string report = Report(*result->finding, f, result->runs_played);
  out << report;
  std::error_code made;
  std::filesystem::create_directories(f.out, made);
  const std::string file = (std::filesystem::path(f.out) / "finding.txt").string();
  std::ofstream(file) << report;
  out << "written to " << file << " (game-server logs kept in " << target->log_dir << ")\n";
  return 1;
}

}  // namespace imsemu::cli
