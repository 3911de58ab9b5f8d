// ExchangeLog: every request the emulator answers and its answer, one JSON
// object per line, appended to a file (serve --exchange-log FILE, or
// IMSEMU_EXCHANGE_LOG for every emulator a process starts). What a studio
// reads to see exactly what its client or server sent and got back, and
// what the OpenAPI contract test (tests/contract/) checks every answer of
// the HTTP tests against. A line:
//   {"listener": "main" | PAYLOAD_ID, "method": "GET", "path": "/...",
//    "query": "a=1", "status": 200, "content_type": "application/json",
//    "body": <the answer: JSON when it is JSON, else its text>}
// Thread-safe; each line is one write() to a file opened with O_APPEND, so
// processes may share a file.
#pragma once

#include <memory>
#include <string>

#include "emulator/http/http_server.h"
#include "ims_emulator/status.h"

namespace imsemu::http {

class ExchangeLog final : public ExchangeObserver {
 public:
  // Opens `path` for appending (created if missing); Unavailable naming the
  // file and why when it cannot be.
  static StatusOr<std::unique_ptr<ExchangeLog>> Open(const std::string& path);
  ~ExchangeLog() override;

  bool OnRequest(const std::string& payload_id, const httplib::Request& req) override;
  void OnAnswer(const std::string& payload_id, const httplib::Request& req,
                const httplib::Response& res, bool refused) override;

 private:
  explicit ExchangeLog(int fd) : fd_(fd) {}
  const int fd_;
};

}  // namespace imsemu::http
