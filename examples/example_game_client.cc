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

#include <httplib.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

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

  httplib::Client client(url);
  client.set_tcp_nodelay(true);
  const httplib::Headers auth = {{"Authorization", "Bearer secret-token:" + token}};
  const std::string path = "/api/v0/projects/" + project + "/sessions?session_type=" + session_type;
  nlohmann::json body = nlohmann::json::object();
  if (!config.empty()) body["session_config"] = config;
  httplib::Result r = create->parsed()
                          ? client.Post(path.c_str(), auth, body.dump(), "application/json")
                          : client.Get(path.c_str(), auth);
  if (!r) {
    std::fprintf(stderr, "cannot reach %s\n", url.c_str());
    return 1;
  }
  std::printf("%s\n", r->body.c_str());
  return r->status == 200 ? 0 : 1;
}
