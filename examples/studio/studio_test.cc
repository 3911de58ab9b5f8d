// A studio's test: its game client creates a session, its game server reads
// the config and sets a status, and the client sees it once the Session
// Manager's cache has caught up, all in-process on the virtual clock.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include <gtest/gtest.h>
#include <ims_emulator/emulator.h>

namespace {

constexpr const char* kWorld = R"({"projects": [{"id": "studio", "allocations": [{
    "name": "ranked", "annotations": {"session_type": "ranked"}, "buffer_size": 2,
    "auto_ready": true,
    "payload_spec": {"ports": [{"name": "GamePort", "container_port": 7777}]}}]}]})";

// One HTTP/1.1 request to 127.0.0.1:port; the whole answer (status line to body).
std::string Http(int port, const std::string& method, const std::string& path,
                 const std::string& body = "") {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  std::string answer;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string request = method + " " + path +
                                " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                                "Authorization: Bearer secret-token:playfab/ticket\r\n"
                                "Content-Length: " +
                                std::to_string(body.size()) + "\r\n\r\n" + body;
    (void)!write(fd, request.data(), request.size());
    char buf[4096];
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) answer.append(buf, n);
  }
  close(fd);
  return answer;
}

int PortOf(const std::string& address) {  // "127.0.0.1:PORT"
  return std::stoi(address.substr(address.find(':') + 1));
}

TEST(StudioTest, AClientSeesTheStatusTheServerSetOnceTheCacheCatchesUp) {
  imsemu::EmulatorConfig config;
  config.fixture_json = kWorld;
  auto started = imsemu::Emulator::Start(config);
  ASSERT_TRUE(started.ok()) << started.status().message();
  imsemu::Emulator& emulator = **started;
  ASSERT_EQ(emulator.PayloadIds().size(), 2u);

  const std::string sessions = "/api/v0/projects/studio/sessions?session_type=ranked";
  const std::string created =
      Http(emulator.port(), "POST", sessions, R"({"session_config": "{\"map\": \"dust\"}"})");
  ASSERT_NE(created.find("200 OK"), std::string::npos) << created;
  const std::string id = emulator.PayloadIds().front();
  ASSERT_NE(created.find(id), std::string::npos) << created;

  const int server = PortOf(emulator.PayloadApiOf(id));
  EXPECT_NE(Http(server, "GET", "/api/v0/payload").find("\"Reserved\""), std::string::npos);
  EXPECT_NE(Http(server, "GET", "/api/v0/session-manager/config").find("dust"), std::string::npos);
  Http(server, "POST", "/api/v0/session-manager/status", R"({"phase": "lobby"})");

  EXPECT_EQ(Http(emulator.port(), "GET", sessions).find("lobby"), std::string::npos);
  ASSERT_TRUE(emulator.AdvanceClock(std::chrono::seconds(12)).ok());
  EXPECT_NE(Http(emulator.port(), "GET", sessions).find("lobby"), std::string::npos);
}

TEST(StudioTest, ABadFixtureSaysWhatIsWrong) {
  imsemu::EmulatorConfig config;
  config.fixture_json = R"({"projects": [{"id": "p", "allocations": [{"buffer_size": -1}]}]})";
  auto started = imsemu::Emulator::Start(config);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.status().code(), imsemu::StatusCode::kInvalidArgument);
  EXPECT_NE(started.status().message().find("buffer_size"), std::string::npos);
}

}  // namespace
