#include "tests/testing/test_emulator.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>

namespace imsemu::test {

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

std::string FirstPayloadId(EmulatorImpl& emulator) {
  std::vector<core::Payload> payloads = emulator.world().Snapshot().payloads;
  EXPECT_FALSE(payloads.empty()) << "the world has no payload";
  return payloads.empty() ? "" : payloads.front().id;
}

namespace {

// Every TempPath handed out in this process.
std::mutex temp_paths_mu;
std::vector<std::filesystem::path>& TempPaths() {
  static auto* paths = new std::vector<std::filesystem::path>;  // outlives every test
  return *paths;
}

// After the last test of a process that passed, removes what its tests left
// under their TempPaths (files named PATH and PATH.*, PATH-* such as a
// database's -wal); after a failure, keeps them to look at.
class TempPathCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    if (!::testing::UnitTest::GetInstance()->Passed()) return;
    std::lock_guard lock(temp_paths_mu);
    std::error_code ec;
    for (const std::filesystem::path& base : TempPaths()) {
      const std::string name = base.filename().string();
      for (const auto& entry : std::filesystem::directory_iterator(base.parent_path(), ec)) {
        const std::string other = entry.path().filename().string();
        if (other == name || other.rfind(name + ".", 0) == 0 || other.rfind(name + "-", 0) == 0) {
          std::filesystem::remove_all(entry.path(), ec);
        }
      }
    }
  }
};

[[maybe_unused]] ::testing::Environment* const kTempPathCleanup =
    ::testing::AddGlobalTestEnvironment(new TempPathCleanup);

}  // namespace

std::string TempPath(const std::string& name) {
  static std::atomic<int> next{0};
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("imsemu-" + name + "-" + std::to_string(getpid()) + "-" + std::to_string(next++));
  std::lock_guard lock(temp_paths_mu);
  TempPaths().push_back(path);
  return path.string();
}

Client::Client(const std::string& host_port_prefix) : call_(host_port_prefix) {}

Reply Client::Wrap(clients::HttpReply reply) {
  Reply out;
  out.status = reply.status;
  out.raw = std::move(reply.body);
  out.headers = std::move(reply.headers);
  out.body = Json::parse(out.raw, nullptr, false);
  return out;
}

Reply Client::Get(const std::string& path, const httplib::Headers& headers) {
  return Wrap(call_.Exchange("GET", path, "", "", headers));
}

Reply Client::Post(const std::string& path, const std::string& body,
                   const std::string& content_type, const httplib::Headers& headers) {
  return Wrap(call_.Exchange("POST", path, body, content_type, headers));
}

Reply Client::Put(const std::string& path, const std::string& body,
                  const std::string& content_type) {
  return Wrap(call_.Exchange("PUT", path, body, content_type));
}

Reply Client::Delete(const std::string& path) { return Wrap(call_.Exchange("DELETE", path)); }

std::string Client::SendRaw(const std::string& raw) {
  const std::string& server = call_.server();
  const size_t colon = server.find(':');
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::stoi(server.substr(colon + 1))));
  inet_pton(AF_INET, server.substr(0, colon).c_str(), &addr.sin_addr);
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    timeval tv{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string request = raw;
    // Point the raw request at the prefix too.
    if (!call_.prefix().empty()) {
      const size_t sp = request.find(' ');
      request.insert(sp + 1, call_.prefix());
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

int PidOf(EmulatorImpl& emulator, const std::string& payload_id) {
  const bool known = WaitFor(emulator, [&] { return emulator.PidOf(payload_id).has_value(); });
  EXPECT_TRUE(known) << "payload " << payload_id << " has no game server process";
  return known ? *emulator.PidOf(payload_id) : -1;
}

std::vector<std::string> AllocationStatusChanges(Client& client, const std::string& allocation_id) {
  std::vector<std::string> out;
  const Reply events = client.Get("/emulator/v0/events?after=0&limit=1000");
  for (const Json& e : events.body["events"]) {
    if (e["kind"] == "allocation.status" && e["allocation_id"] == allocation_id) {
      out.push_back(e["old_state"].get<std::string>() + ">" + e["new_state"].get<std::string>());
    }
  }
  return out;
}

void ExpectErrorShape(const Reply& reply, int status) {
  EXPECT_EQ(reply.status, status) << reply.raw;
  ASSERT_TRUE(reply.body.is_object()) << reply.raw;
  EXPECT_TRUE(reply.body.contains("message") && reply.body["message"].is_string()) << reply.raw;
  EXPECT_FALSE(reply.body.value("message", "").empty()) << reply.raw;
  EXPECT_TRUE(reply.body.contains("request_id") && reply.body["request_id"].is_string())
      << reply.raw;
}

}  // namespace imsemu::test
