#include "tests/testing/test_emulator.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace imsemu::testing {

std::unique_ptr<EmulatorImpl> StartEmulator(core::Fixture fixture, EmulatorOptions options) {
  options.host = "127.0.0.1";
  options.port = 0;
  options.fixture = std::move(fixture);
  auto started = EmulatorImpl::Start(std::move(options));
  EXPECT_TRUE(started.ok()) << started.status().message();
  return started.ok() ? *std::move(started) : nullptr;
}

std::string MainAddress(const EmulatorImpl& emulator) {
  return "127.0.0.1:" + std::to_string(emulator.port());
}

namespace {

struct Split {
  std::string host;
  int port;
  std::string prefix;
};

Split SplitAddress(const std::string& value) {
  const size_t colon = value.find(':');
  const size_t slash = value.find('/', colon);
  Split s;
  s.host = value.substr(0, colon);
  s.port = std::stoi(
      value.substr(colon + 1, slash == std::string::npos ? std::string::npos : slash - colon - 1));
  s.prefix = slash == std::string::npos ? "" : value.substr(slash);
  return s;
}

}  // namespace

Client::Client(const std::string& host_port_prefix)
    : host_(SplitAddress(host_port_prefix).host),
      port_(SplitAddress(host_port_prefix).port),
      prefix_(SplitAddress(host_port_prefix).prefix),
      client_(host_, port_) {
  client_.set_tcp_nodelay(true);
  client_.set_read_timeout(10, 0);
}

Reply Client::Wrap(const httplib::Result& result) {
  Reply reply;
  if (!result) return reply;
  reply.status = result->status;
  reply.raw = result->body;
  reply.headers = result->headers;
  reply.body = Json::parse(result->body, nullptr, false);
  return reply;
}

Reply Client::Get(const std::string& path, const httplib::Headers& headers) {
  return Wrap(client_.Get(prefix_ + path, headers));
}

Reply Client::Post(const std::string& path, const std::string& body,
                   const std::string& content_type, const httplib::Headers& headers) {
  return Wrap(client_.Post(prefix_ + path, headers, body, content_type));
}

Reply Client::Put(const std::string& path, const std::string& body,
                  const std::string& content_type) {
  return Wrap(client_.Put(prefix_ + path, body, content_type));
}

Reply Client::Delete(const std::string& path) { return Wrap(client_.Delete(prefix_ + path)); }

std::string Client::SendRaw(const std::string& raw) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  inet_pton(AF_INET, host_.c_str(), &addr.sin_addr);
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    timeval tv{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string request = raw;
    // Point the raw request at the prefix too.
    if (!prefix_.empty()) {
      const size_t sp = request.find(' ');
      request.insert(sp + 1, prefix_);
    }
    send(fd, request.data(), request.size(), 0);
    char buf[4096];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

bool WaitFor(EmulatorImpl& emulator, const std::function<bool()>& done,
             std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  long long seq = 0;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    seq = emulator.world().AwaitEvents(seq, std::chrono::milliseconds(50));
  }
  return true;
}

void ExpectErrorShape(const Reply& reply, int status) {
  EXPECT_EQ(reply.status, status) << reply.raw;
  ASSERT_TRUE(reply.body.is_object()) << reply.raw;
  EXPECT_TRUE(reply.body.contains("message") && reply.body["message"].is_string()) << reply.raw;
  EXPECT_FALSE(reply.body.value("message", "").empty()) << reply.raw;
  EXPECT_TRUE(reply.body.contains("request_id") && reply.body["request_id"].is_string())
      << reply.raw;
}

}  // namespace imsemu::testing
