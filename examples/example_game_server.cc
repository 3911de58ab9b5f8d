// example-game-server: a small real game server that does what the IMS docs
// tell a studio's server to do.
//
// It reads ORCHESTRATION_PAYLOAD_API, calls ready (with retries; exits 3 if
// they all fail), polls its payload until it is Reserved, reads and
// sanitises the session config (max_players clamped to 1..16), sets a
// session status (phase, players, max_players, map), and accepts players on
// its UDP game port ("join NAME" / "leave NAME"), updating the status as they
// come and go. It exits 0 when the match ends (the last player left, or a
// player sent "end") or when nobody joins within --idle-timeout seconds, and
// non-zero on a fatal error. On SIGTERM (its payload was removed) it ends the
// match and exits 0: in a container it is PID 1, which the kernel does not
// end on SIGTERM for it, so it must leave by itself, as on IMS.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "ims_emulator/clients.h"

namespace {

using Json = nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

constexpr int kMaxPlayersCap = 16;
// The maps this server can load; a session config picks one by name.
constexpr std::array<const char*, 4> kMaps = {"default", "docks", "dust", "foundry"};

volatile sig_atomic_t g_asked_to_leave = 0;

void OnSigterm(int) { g_asked_to_leave = 1; }

void Log(const std::string& line) {
  std::printf("[game-server] %s\n", line.c_str());
  std::fflush(stdout);
}

bool SetStatus(imsemu::PayloadClient& api, const std::string& phase, size_t players,
               int max_players, const std::string& map) {
  return api
      .SetStatus({{"phase", phase},
                  {"players", std::to_string(players)},
                  {"max_players", std::to_string(max_players)},
                  {"map", map}})
      .ok();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"example-game-server: a game server for ims-emulator"};
  int port = 7777;
  double idle_timeout_s = 60;
  int poll_ms = 1000;
  app.add_option("--port", port, "UDP game port")->check(CLI::Range(1, 65535));
  app.add_option("--idle-timeout", idle_timeout_s, "seconds to wait for a first player");
  app.add_option("--poll-ms", poll_ms, "how often to poll the payload")
      ->check(CLI::Range(10, 60000));
  CLI11_PARSE(app, argc, argv);

  imsemu::StatusOr<imsemu::PayloadClient> from_env = imsemu::PayloadClient::FromEnvironment();
  if (!from_env.ok()) {
    Log("fatal: " + from_env.status().message());
    return 2;
  }
  imsemu::PayloadClient api = *std::move(from_env);
  struct sigaction leave {};
  leave.sa_handler = OnSigterm;
  sigaction(SIGTERM, &leave, nullptr);

  const int sock = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  if (sock < 0 || bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    Log("fatal: cannot bind UDP port " + std::to_string(port));
    return 4;
  }
  timeval tv{0, 200000};
  setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

  // The Payload Local API may come up after us: retry ready.
  bool ready = false;
  for (int attempt = 0; attempt < 20 && !ready && !g_asked_to_leave; ++attempt) {
    ready = api.Ready().ok();
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  if (g_asked_to_leave) {
    Log("SIGTERM before ready: leaving");
    return 0;
  }
  if (!ready) {
    Log("fatal: the ready call failed 20 times");
    return 3;
  }
  Log("ready on UDP port " + std::to_string(port));

  while (true) {
    if (g_asked_to_leave) {
      Log("SIGTERM while Ready: leaving");
      return 0;
    }
    imsemu::StatusOr<imsemu::PayloadInfo> payload = api.GetPayload();
    if (payload.ok() && payload->state == "Reserved") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
  }

  int max_players = 8;
  std::string map = "default";
  imsemu::StatusOr<std::optional<std::string>> config_text = api.GetConfig();
  if (config_text.ok() && config_text->has_value()) {
    // The config comes from a player's machine: trust nothing in it.
    const Json config = Json::parse(**config_text, nullptr, false);
    if (config.is_object()) {
      if (config.contains("max_players") && config["max_players"].is_number()) {
        // As a double first: a huge number cast to int is undefined.
        max_players = static_cast<int>(std::clamp(config["max_players"].get<double>(), 1.0,
                                                  static_cast<double>(kMaxPlayersCap)));
      }
      // Only a map the server knows: the status is shown to every player, so
      // nothing a player wrote goes into it as written.
      if (config.contains("map") && config["map"].is_string()) {
        const std::string wanted = config["map"].get<std::string>();
        if (std::find(kMaps.begin(), kMaps.end(), wanted) != kMaps.end()) map = wanted;
      }
    } else {
      Log("session config is not a JSON object; using defaults");
    }
  }
  Log("reserved: map " + map + ", up to " + std::to_string(max_players) + " players");
  if (!SetStatus(api, "lobby", 0, max_players, map)) Log("could not set the session status");

  std::set<std::string> players;
  bool anyone_joined = false;
  const auto idle_deadline =
      SteadyClock::now() + std::chrono::milliseconds(static_cast<long>(idle_timeout_s * 1000));
  while (true) {
    char buf[512];
    sockaddr_in from{};
    socklen_t from_len = sizeof from;
    const ssize_t n =
        recvfrom(sock, buf, sizeof buf - 1, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
    if (g_asked_to_leave) {
      Log("SIGTERM during the match: ending it");
      SetStatus(api, "ended", players.size(), max_players, map);
      return 0;
    }
    if (n <= 0) {
      if (!anyone_joined && SteadyClock::now() >= idle_deadline) {
        Log("nobody joined: ending");
        SetStatus(api, "ended", 0, max_players, map);
        return 0;
      }
      continue;
    }
    const std::string message(buf, static_cast<size_t>(n));
    const size_t space = message.find(' ');
    const std::string verb = message.substr(0, space);
    const std::string name = space == std::string::npos ? "" : message.substr(space + 1, 32);
    std::string reply;
    if (verb == "join" && !name.empty()) {
      if (players.size() >= static_cast<size_t>(max_players) && players.count(name) == 0) {
        reply = "full";
      } else {
        players.insert(name);
        anyone_joined = true;
        reply = "welcome " + name;
      }
    } else if (verb == "leave") {
      players.erase(name);
      reply = "bye " + name;
    } else if (verb == "end") {
      players.clear();
      reply = "match over";
    } else {
      reply = "unknown message";
    }
    sendto(sock, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), from_len);
    Log(message + " -> " + reply + " (" + std::to_string(players.size()) + " players)");
    if (anyone_joined && players.empty()) {
      SetStatus(api, "ended", 0, max_players, map);
      Log("match over");
      return 0;
    }
    SetStatus(api, "playing", players.size(), max_players, map);
  }
}
