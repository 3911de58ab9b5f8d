// A stand-in game server for `ims-emulator check`'s tests: well behaved by
// default, or broken in one way a flag names, so that each broken one fails
// the case that names its fault and no other.
//   standin_game_server [--no-retry | --crash-on-bad-config | --tight-poll |
//                        --ignore-term | --spam-status]
// Well behaved: retries ready every 100 ms, polls its payload every 200 ms
// until Reserved, reads the session config, sets a small status, and leaves
// with 0 on SIGTERM.
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "ims_emulator/clients.h"

namespace {

volatile std::sig_atomic_t g_term = 0;

void Sleep(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

}  // namespace

int main(int argc, char** argv) {
  bool no_retry = false, crash_on_bad_config = false, tight_poll = false, spam_status = false;
  bool ignore_term = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    no_retry |= arg == "--no-retry";
    crash_on_bad_config |= arg == "--crash-on-bad-config";
    tight_poll |= arg == "--tight-poll";
    spam_status |= arg == "--spam-status";
    ignore_term |= arg == "--ignore-term";
  }
  std::signal(
      SIGTERM, ignore_term ? SIG_IGN : [](int) { g_term = 1; });
  auto api = imsemu::PayloadClient::FromEnvironment();
  if (!api.ok()) return 2;
  bool ready = false;
  for (int attempt = 0; attempt < (no_retry ? 1 : 200) && !ready; ++attempt) {
    ready = api->Ready().ok();
    if (!ready) Sleep(100);
  }
  if (!ready) {
    std::puts("ready failed: giving up");
    return 3;
  }
  std::puts("ready");
  std::fflush(stdout);
  while (!g_term) {
    auto payload = api->GetPayload();
    if (payload.ok() && payload->state == "Reserved") break;
    if (!tight_poll) Sleep(200);
  }
  if (g_term) return 0;
  auto config = api->GetConfig();
  const std::string text = config.ok() && config->has_value() ? **config : "";
  if (crash_on_bad_config && !nlohmann::json::parse(text, nullptr, false).is_object()) {
    std::puts("the config is not a JSON object: crashing");
    std::fflush(stdout);
    std::abort();
  }
  (void)api->SetStatus({{"phase", "lobby"}});
  std::puts("reserved: status set");
  std::fflush(stdout);
  while (!g_term || ignore_term) {
    if (spam_status)
      (void)api->SetStatus({{"phase", "playing"}, {"players", std::string(100 * 1024, 'p')}});
    Sleep(100);
  }
  return 0;
}
