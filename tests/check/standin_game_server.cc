// A stand-in game server for `ims-emulator check`'s tests: well behaved by
// default, or broken in the one way a flag names, so that each broken one
// fails the case that names its fault and no other (the mutation table,
// tests/check/mutations.json).
//   standin_game_server [--no-retry | --never-ready | --tight-poll |
//                        --status-before-session | --crash-on-bad-config |
//                        --exit-on-bad-config | --echo-map | --spam-status |
//                        --big-status | --ignore-term | --crash-on-term]
// Well behaved: retries ready every 100 ms, polls its payload every 200 ms
// until Reserved, reads the session config, sets a small status, and leaves
// with 0 on SIGTERM.
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "ims_emulator/clients.h"

namespace {

volatile std::sig_atomic_t g_term = 0;

void Sleep(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

void Say(const char* line) {
  std::puts(line);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const std::set<std::string> known = {"--no-retry",
                                       "--never-ready",
                                       "--tight-poll",
                                       "--status-before-session",
                                       "--crash-on-bad-config",
                                       "--exit-on-bad-config",
                                       "--echo-map",
                                       "--spam-status",
                                       "--big-status",
                                       "--ignore-term",
                                       "--crash-on-term"};
  std::set<std::string> flags;
  for (int i = 1; i < argc; ++i) {
    if (known.count(argv[i]) == 0) {
      std::fprintf(stderr, "unknown flag %s\n", argv[i]);
      return 2;
    }
    flags.insert(argv[i]);
  }
  auto has = [&](const char* flag) { return flags.count(flag) > 0; };
  std::signal(
      SIGTERM, has("--ignore-term") ? SIG_IGN : [](int) { g_term = 1; });
  auto api = imsemu::PayloadClient::FromEnvironment();
  if (!api.ok()) return 2;
  if (has("--never-ready")) {
    while (!g_term) Sleep(100);
    return 0;
  }
  bool ready = false;
  for (int attempt = 0; attempt < (has("--no-retry") ? 1 : 200) && !ready; ++attempt) {
    ready = api->Ready().ok();
    if (!ready) Sleep(100);
  }
  if (!ready) {
    Say("ready failed: giving up");
    return 3;
  }
  Say("ready");
  if (has("--status-before-session")) (void)api->SetStatus({{"phase", "waiting"}});
  while (!g_term) {
    auto payload = api->GetPayload();
    if (payload.ok() && payload->state == "Reserved") break;
    if (!has("--tight-poll")) Sleep(200);
  }
  if (g_term) return has("--crash-on-term") ? (std::abort(), 1) : 0;
  auto config = api->GetConfig();
  const std::string text = config.ok() && config->has_value() ? **config : "";
  const nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
  if (!parsed.is_object() && has("--crash-on-bad-config")) {
    Say("the config is not a JSON object: crashing");
    std::abort();
  }
  if (!parsed.is_object() && has("--exit-on-bad-config")) {
    Say("the config is not a JSON object: exiting 1");
    return 1;
  }
  imsemu::StringMap status = {{"phase", "lobby"}};
  if (has("--echo-map") && parsed.is_object() && parsed.contains("map") &&
      parsed["map"].is_string()) {
    status["map"] = parsed["map"].get<std::string>();  // a player's text, shown to every player
  }
  if (has("--big-status") && parsed.is_object() &&
      parsed.value("max_players", nlohmann::json()) == 8) {
    status["players"] = std::string(100 * 1024, 'p');  // a player list is not a status
  }
  if (!has("--status-before-session")) (void)api->SetStatus(status);
  Say("reserved: status set");
  while (!g_term || has("--ignore-term")) {
    if (has("--spam-status"))
      (void)api->SetStatus({{"phase", "playing"}, {"tick", std::to_string(std::rand())}});
    Sleep(has("--spam-status") ? 50 : 100);
  }
  if (has("--crash-on-term")) std::abort();
  return 0;
}
