// Test helpers for HTTP tests: an in-process EmulatorImpl on 127.0.0.1 port 0
// with a virtual clock and :memory: state, and a JSON-speaking client.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "emulator/clients/http_call.h"
#include "emulator/emulator.h"

namespace imsemu::test {

// Credentials the Session Manager takes under the default auth ("any").
inline const httplib::Headers kPlayerAuth = {{"Authorization", "Bearer p/t"}};

using Json = nlohmann::json;

// Starts an emulator on `fixture` (fails the test if it cannot start).
std::unique_ptr<EmulatorImpl> StartEmulator(core::Fixture fixture, EmulatorOptions options = {});

struct Reply {
  int status = 0;  // 0 when the request failed to be sent
  Json body;       // discarded when the body is not JSON
  std::string raw;
  httplib::Headers headers;
};

// A client for "host:port" (optionally followed by a path prefix, as in an
// ORCHESTRATION_PAYLOAD_API value) that keeps whole answers for assertions.
class Client {
 public:
  explicit Client(const std::string& host_port_prefix);

  Reply Get(const std::string& path, const httplib::Headers& headers = {});
  Reply Post(const std::string& path, const std::string& body,
             const std::string& content_type = "application/json",
             const httplib::Headers& headers = {});
  Reply Put(const std::string& path, const std::string& body,
            const std::string& content_type = "application/json");
  Reply Delete(const std::string& path);
  // Sends `raw` bytes as a whole request and returns the raw response.
  std::string SendRaw(const std::string& raw);

 private:
  static Reply Wrap(clients::HttpReply reply);

  clients::HttpCall call_;
};

// "127.0.0.1:PORT" of the emulator's main port.
std::string MainAddress(const EmulatorImpl& emulator);

// The id of the oldest payload (fails the test if there is none).
std::string FirstPayloadId(EmulatorImpl& emulator);

// A path under the temp dir no other test process or call uses:
// imsemu-NAME-PID-N. Removed (with PATH.* and PATH-*) after the process's
// tests, unless one failed.
std::string TempPath(const std::string& name);

// Waits, in real time and at most `limit`, for `done` (a real process runs at
// its own pace), waking on every change the journal records. False on timeout.
bool WaitFor(EmulatorImpl& emulator, const std::function<bool()>& done,
             std::chrono::seconds limit = std::chrono::seconds(30));

// The pid of the payload's game server, waiting for the supervisor to record
// it: a game server can call ready before its launcher has noted its pid.
// Fails the test and returns -1 if it never has one.
int PidOf(EmulatorImpl& emulator, const std::string& payload_id);

// Fails the test unless `reply` is an error of the documented shape.
void ExpectErrorShape(const Reply& reply, int status);

// The allocation's status changes in the journal (GET /emulator/v0/events),
// in order, as "Old>New".
std::vector<std::string> AllocationStatusChanges(Client& client, const std::string& allocation_id);

}  // namespace imsemu::test
