// HttpCall, against a raw loopback server that closes a kept-alive
// connection as the next request arrives (a payload's listener replaced).
#include "emulator/clients/http_call.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace imsemu::clients {
namespace {

// Listens on 127.0.0.1:0; each Accept() takes the next connection.
class RawServer {
 public:
  RawServer() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(listen(listen_fd_, 4), 0);
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~RawServer() { close(listen_fd_); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // -1 once StopAccepting() was called.
  int Accept() { return accept(listen_fd_, nullptr, nullptr); }
  // Wakes an Accept() that no client will answer (a failing test never hangs).
  void StopAccepting() { shutdown(listen_fd_, SHUT_RDWR); }

  // Reads one request's head (the tests send no body).
  static bool ReadRequest(int fd) {
    std::string got;
    char buf[1024];
    while (got.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) return false;
      got.append(buf, static_cast<size_t>(n));
    }
    return true;
  }
  static void Answer(int fd, const std::string& body) {
    const std::string reply =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    EXPECT_EQ(write(fd, reply.data(), reply.size()), static_cast<ssize_t>(reply.size()));
  }

 private:
  int listen_fd_ = -1;
  int port_ = 0;
};

// The first request is answered and its connection kept; the second arrives
// on it and the connection is closed unanswered; a new connection (if the
// client opens one) is answered with "again".
void ServeThenDropKeptConnection(RawServer& server, bool expect_retry) {
  const int first = server.Accept();
  ASSERT_TRUE(RawServer::ReadRequest(first));
  RawServer::Answer(first, R"({"n": 1})");
  ASSERT_TRUE(RawServer::ReadRequest(first));
  close(first);
  if (!expect_retry) return;
  const int second = server.Accept();
  ASSERT_GE(second, 0) << "the request was not sent again";
  ASSERT_TRUE(RawServer::ReadRequest(second));
  RawServer::Answer(second, R"({"n": "again"})");
  close(second);
}

TEST(HttpCallTest, AnIdempotentRequestOnADroppedKeptConnectionIsSentAgain) {
  for (const char* method : {"GET", "PUT", "DELETE"}) {
    SCOPED_TRACE(method);
    RawServer server;
    std::thread serving([&] { ServeThenDropKeptConnection(server, true); });
    HttpCall call(server.address());
    EXPECT_EQ(call.Exchange(method, "/x").body, R"({"n": 1})");
    const HttpReply again = call.Exchange(method, "/x");
    EXPECT_EQ(again.status, 200) << again.error;
    EXPECT_EQ(again.body, R"({"n": "again"})");
    server.StopAccepting();
    serving.join();
  }
}

TEST(HttpCallTest, APostOnADroppedKeptConnectionIsNotSentAgain) {
  RawServer server;
  std::thread serving([&] { ServeThenDropKeptConnection(server, false); });
  HttpCall call(server.address());
  EXPECT_EQ(call.Exchange("POST", "/x").status, 200);
  const HttpReply dropped = call.Exchange("POST", "/x");
  server.StopAccepting();
  serving.join();
  EXPECT_EQ(dropped.status, 0);
  EXPECT_NE(dropped.error.find("no answer from " + server.address()), std::string::npos)
      << dropped.error;
}

}  // namespace
}  // namespace imsemu::clients
