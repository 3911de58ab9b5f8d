// example-game-client: creates a session, lists sessions, and joins a game
// server over UDP, as a game client does.
//   example-game-client [--url U] [--project P] [--session-type T] [--token PROVIDER/TOKEN]
//       create [--config JSON] | list | join --address A --port N --name NAME [--leave]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <string>

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
  CLI11_PARSE(app, argc, argv);

  if (join->parsed()) {
    const int sock = socket(AF_INET, SOCK_DGRAM, 0);
    timeval tv{5, 0};
    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, address.c_str(), &to.sin_addr) != 1) {
      std::fprintf(stderr, "bad address %s\n", address.c_str());
      return 2;
    }
    bool ok = Exchange(sock, to, "join " + name);
    if (ok && leave) ok = Exchange(sock, to, "leave " + name);
    close(sock);
    return ok ? 0 : 1;
  }

  imsemu::SessionManagerClient sessions(url, project, "Bearer secret-token:" + token);
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
