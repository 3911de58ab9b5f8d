// Many connections at once: idle keep-alive connections hold no worker,
// requests that stall half way do not block others, and a connection over a
// listener's limit gets a clean 503. Raw sockets on loopback, so the test
// controls exactly what each connection has sent.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <set>
#include <thread>

#include "emulator/clock/stopwatch.h"
#include "emulator/http/http_server.h"
#include "emulator/http/worker_pool.h"
#include "tests/testing/test_emulator.h"

namespace imsemu {
namespace {

// One client connection, its bytes exactly as the test sends them.
class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawConnection() { close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }
  bool Send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  // One whole response (headers and a Content-Length body); "" if the
  // connection closed first or nothing came within 10 s (a failure, not a wait).
  std::string ReadResponse() {
    while (true) {
      const size_t end = buffer_.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t length = 0;
        const size_t at = buffer_.find("Content-Length: ");
        if (at != std::string::npos && at < end) length = std::stoul(buffer_.substr(at + 16));
        if (buffer_.size() >= end + 4 + length) {
          std::string response = buffer_.substr(0, end + 4 + length);
          buffer_.erase(0, end + 4 + length);
          return response;
        }
      }
      if (!ReadSome()) return "";
    }
  }
  // True when the server closed the connection (within 10 s).
  bool ClosedByServer() {
    while (ReadSome()) {
    }
    return closed_;
  }
  std::string Ping() {
    if (!Send("GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")) return "";
    return ReadResponse();
  }

 private:
  bool ReadSome() {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 10000) != 1) return false;
    char buf[4096];
    const ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int fd_;
  bool connected_ = false;
  bool closed_ = false;
  std::string buffer_;
};

bool Answered(const std::string& response) {
  return response.rfind("HTTP/1.1 200", 0) == 0 && response.ends_with("pong");
}

class ConnectionsTest : public ::testing::Test {
 protected:
  void Start(size_t workers, http::ConnectionLimits limits = {}) {
    server_ = std::make_unique<http::HttpServer>(ids_, workers, access_, nullptr, limits);
    server_->routes().Get("/ping", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("pong", "text/plain");
    });
    ASSERT_TRUE(server_->Start("127.0.0.1", 0).ok());
  }
  std::unique_ptr<RawConnection> Connect() {
    auto c = std::make_unique<RawConnection>(server_->port());
    EXPECT_TRUE(c->connected());
    return c;
  }

  http::RequestIds ids_;
  http::AccessPolicy access_;
  std::unique_ptr<http::HttpServer> server_;
};

TEST_F(ConnectionsTest, IdleKeepAliveConnectionsHoldNoWorker) {
  Start(/*workers=*/2);
  std::vector<std::unique_ptr<RawConnection>> clients;
  for (int i = 0; i < 50; ++i) {
    clients.push_back(Connect());
    ASSERT_TRUE(Answered(clients.back()->Ping())) << "client " << i << " of 50 on 2 workers";
  }
  // Every one of them is still open and is answered again on the same connection.
  for (int round = 0; round < 2; ++round) {
    for (auto& c : clients) ASSERT_TRUE(Answered(c->Ping()));
  }
  // Pipelined requests on a connection that waited are answered in order.
  ASSERT_TRUE(
      clients[7]->Send("GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                       "GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  EXPECT_TRUE(Answered(clients[7]->ReadResponse()));
  EXPECT_TRUE(Answered(clients[7]->ReadResponse()));
}

TEST_F(ConnectionsTest, HalfOpenConnectionsDoNotBlockNewClients) {
  Start(/*workers=*/8);
  std::vector<std::unique_ptr<RawConnection>> stalled;
  for (int i = 0; i < 5; ++i) {  // a request begun and never finished
    stalled.push_back(Connect());
    ASSERT_TRUE(stalled.back()->Send("GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
  }
  for (int i = 0; i < 50; ++i) stalled.push_back(Connect());  // connected, silent
  auto fresh = Connect();
  EXPECT_TRUE(Answered(fresh->Ping()));
  EXPECT_TRUE(Answered(stalled[0]->Send("\r\n") ? stalled[0]->ReadResponse() : ""))
      << "a slow request that finishes within the read timeout is answered";
}

TEST_F(ConnectionsTest, AConnectionOverTheLimitGetsA503AndIsClosed) {
  http::ConnectionLimits limits;
  limits.max_connections = 3;
  Start(/*workers=*/2, limits);
  std::vector<std::unique_ptr<RawConnection>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(Connect());
    ASSERT_TRUE(Answered(clients.back()->Ping()));
  }
  auto over = Connect();
  ASSERT_TRUE(over->Send("GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));  // sent at once
  const std::string refused = over->ReadResponse();
  EXPECT_EQ(refused.rfind("HTTP/1.1 503", 0), 0u) << refused;
  EXPECT_NE(refused.find("Connection: close"), std::string::npos) << refused;
  const test::Json body =
      test::Json::parse(refused.substr(refused.find("\r\n\r\n") + 4), nullptr, false);
  EXPECT_EQ(body["message"], "too many open connections (the limit is 3); retry shortly");
  EXPECT_TRUE(over->ClosedByServer());
  for (auto& c : clients) EXPECT_TRUE(Answered(c->Ping())) << "the others are unaffected";
}

TEST_F(ConnectionsTest, AnIdleConnectionIsClosedAfterItsTimeoutAndFreesItsPlace) {
  http::ConnectionLimits limits;
  limits.max_connections = 1;
  limits.idle_timeout = std::chrono::milliseconds(50);
  Start(/*workers=*/2, limits);
  auto idle = Connect();
  ASSERT_TRUE(Answered(idle->Ping()));
  EXPECT_TRUE(idle->ClosedByServer()) << "closed once quiet past its idle timeout";
  auto next = Connect();
  EXPECT_TRUE(Answered(next->Ping())) << "the closed connection no longer counts";
}

TEST_F(ConnectionsTest, StoppingClosesWaitingConnections) {
  Start(/*workers=*/2);
  auto idle = Connect();
  ASSERT_TRUE(Answered(idle->Ping()));
  server_->Stop();
  EXPECT_TRUE(idle->ClosedByServer());
}

// Workers start on demand and end after being idle, so a burst of
// connections does not leave its threads behind.
TEST(WorkerPoolTest, WorkersEndAfterBeingIdleAndStartAgainWhenNeeded) {
  http::WorkerPool pool(/*max_workers=*/4, nullptr, std::chrono::milliseconds(20));
  std::atomic<int> started{0};
  std::atomic<bool> release{false};
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(pool.TryEnqueue([&] {
      ++started;
      while (!release) std::this_thread::yield();
    }));
  }
  while (started < 4) std::this_thread::yield();  // four at once: four workers
  EXPECT_EQ(pool.workers(), 4u);
  release = true;
  const Stopwatch waited;  // a bound on a failure, not a wait for success
  while (pool.workers() > 0 && waited.Elapsed() < std::chrono::seconds(10)) {
    std::this_thread::yield();
  }
  EXPECT_EQ(pool.workers(), 0u) << "idle workers end";
  std::atomic<bool> ran{false};
  ASSERT_TRUE(pool.TryEnqueue([&] { ran = true; }));
  pool.shutdown();
  EXPECT_TRUE(ran) << "a new worker starts for new work; shutdown waits for it";
  EXPECT_FALSE(pool.TryEnqueue([] {})) << "nothing is taken after shutdown";
}

std::set<std::string> OpenDescriptors() {
  std::set<std::string> fds;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    fds.insert(entry.path().filename().string());
  }
  return fds;
}

// A stopped server must not close, when destroyed, a descriptor number the
// process has since reused (once, the idle-connection watcher's epoll).
TEST_F(ConnectionsTest, AStoppedServerClosesNothingItNoLongerOwns) {
  Start(/*workers=*/2);
  server_->Stop();
  std::vector<int> reused;
  for (int i = 0; i < 8; ++i) reused.push_back(open("/dev/null", O_RDONLY | O_CLOEXEC));
  const std::set<std::string> before = OpenDescriptors();
  server_.reset();
  EXPECT_EQ(OpenDescriptors(), before);
  for (int fd : reused) close(fd);
}

}  // namespace
}  // namespace imsemu
