// example-game-client: creates a session, lists sessions, and joins a game
// server over UDP, as a game client does; `play` does a whole match.
//   example-game-client [--url U] [--project P] [--session-type T] [--token PROVIDER/TOKEN]
//       create [--config JSON] | list | join --address A --port N --name NAME [--leave]
//       | play [--config JSON] [--name NAME] [--wait SECONDS]
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "ims_emulator/clients.h"

namespace {

// Sends `message` to address:port and prints the answer; false on no answer.
bool Exchange(int sock, const sockaddr_in& to, const std::string& message) {
  sendto(sock, message.data(), message.size(), 0, reinterpret_cast<const sockaddr*>(&to),
         sizeof to);
  char buf[512];
  const ssize_t n = recv(sock, buf, sizeof buf, 0);
  if (n <= 0) {
    std::fprintf(stderr, "no answer to '%s'\n", message.c_str());
    return false;
  }
  std::printf("%.*s\n", static_cast<int>(n), buf);
  return true;
}

// Joins the game server at address:port as `name` (and leaves, if asked);
// the address may be a host name (a compose service's). 0 when it answered.
int Join(const std::string& address, int port, const std::string& name, bool leave) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(address.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 ||
      found == nullptr) {
    std::fprintf(stderr, "cannot resolve %s\n", address.c_str());
    return 2;
  }
  sockaddr_in to{};
  std::memcpy(&to, found->ai_addr, sizeof to);
  freeaddrinfo(found);
  const int sock = socket(AF_INET, SOCK_DGRAM, 0);
  timeval tv{5, 0};
  setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  bool ok = Exchange(sock, to, "join " + name);
  if (ok && leave) ok = Exchange(sock, to, "leave " + name);
  close(sock);
  return ok ? 0 : 1;
}

nlohmann::json PortsJson(const std::vector<imsemu::NamedPort>& ports) {
  nlohmann::json out = nlohmann::json::array();
  for (const imsemu::NamedPort& p : ports) out.push_back({{"name", p.name}, {"port", p.port}});
  return out;
}

// Prints the answer as JSON (exit 0), or the error (exit 1).
template <typename T, typename ToJson>
int Print(const imsemu::StatusOr<T>& answer, ToJson to_json) {
  if (!answer.ok()) {
    std::fprintf(stderr, "%s\n", answer.status().ToString().c_str());
    return 1;
  }
  std::printf("%s\n", to_json(*answer).dump(2).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"example-game-client: a game client for ims-emulator"};
  std::string url = "http://127.0.0.1:9350";
  std::string project = "local-project";
  std::string session_type = "default";
  std::string token = "playfab/dev-player";
  app.add_option("--url", url, "Session Manager base URL");
  app.add_option("--project", project);
  app.add_option("--session-type", session_type);
  app.add_option("--token", token, "<provider>/<token>");
  app.require_subcommand(1);
  std::string config;
  CLI::App* create = app.add_subcommand("create", "create a session");
  create->add_option("--config", config, "the session config (JSON text)");
  app.add_subcommand("list", "list sessions");
  std::string address = "127.0.0.1";
  int port = 0;
  std::string name = "player";
  bool leave = false;
  CLI::App* join = app.add_subcommand("join", "join a game server over UDP");
  join->add_option("--address", address);
  join->add_option("--port", port)->required();
  join->add_option("--name", name);
  join->add_flag("--leave", leave, "leave right after joining");
  double wait_s = 0;
  CLI::App* play =
      app.add_subcommand("play", "create a session, join its game server and leave: a match");
  play->add_option("--config", config, "the session config (JSON text)");
  play->add_option("--name", name);
  play->add_option("--wait", wait_s, "keep asking this many seconds while no server is free")
      ->check(CLI::Range(0.0, 3600.0));
  CLI11_PARSE(app, argc, argv);

  if (join->parsed()) return Join(address, port, name, leave);

  imsemu::SessionManagerClient sessions(url, project, "Bearer secret-token:" + token);
  if (play->parsed()) {
    std::optional<std::string> session_config;
    if (!config.empty()) session_config = config;
    const auto until = std::chrono::steady_clock::now() +
                       std::chrono::milliseconds(static_cast<long long>(wait_s * 1000));
    imsemu::StatusOr<imsemu::CreatedSession> s =
        sessions.CreateSession(session_type, session_config);
    while (!s.ok() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      s = sessions.CreateSession(session_type, session_config);
    }
    if (!s.ok() || s->ports.empty()) {
      std::fprintf(stderr, "no session: %s\n",
                   s.ok() ? "it has no port" : s.status().ToString().c_str());
      return 1;
    }
    std::printf("session %s on %s:%d\n", s->id.c_str(), s->address.c_str(), s->ports[0].port);
    return Join(s->address, s->ports[0].port, name, /*leave=*/true);
  }
  if (create->parsed()) {
    std::optional<std::string> session_config;
    if (!config.empty()) session_config = config;
    return Print(sessions.CreateSession(session_type, session_config), [](const imsemu::
                                                                              CreatedSession& s) {
      return nlohmann::json{{"id", s.id}, {"address", s.address}, {"ports", PortsJson(s.ports)}};
    });
  }
  return Print(sessions.ListSessions(session_type),
               [](const std::vector<imsemu::SessionInfo>& list) {
                 nlohmann::json out = nlohmann::json::array();
                 for (const imsemu::SessionInfo& s : list) {
                   out.push_back({{"id", s.id},
                                  {"address", s.address},
                                  {"ports", PortsJson(s.ports)},
                                  {"session_status", s.session_status}});
                 }
                 return nlohmann::json{{"sessions", out}};
               });
}
