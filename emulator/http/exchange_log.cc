#include "emulator/http/exchange_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

namespace imsemu::http {

StatusOr<std::unique_ptr<ExchangeLog>> ExchangeLog::Open(const std::string& path) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status(StatusCode::kUnavailable,
                  "cannot open the exchange log '" + path + "': " + std::strerror(errno));
  }
  return std::unique_ptr<ExchangeLog>(new ExchangeLog(fd));
}

ExchangeLog::~ExchangeLog() { close(fd_); }

bool ExchangeLog::OnRequest(const std::string&, const httplib::Request&) { return true; }

void ExchangeLog::OnAnswer(const std::string& payload_id, const httplib::Request& req,
                           const httplib::Response& res, bool) {
  nlohmann::json line = {{"listener", payload_id.empty() ? "main" : payload_id},
                         {"method", req.method},
                         {"path", req.path},
                         {"status", res.status},
                         {"content_type", res.get_header_value("Content-Type")}};
  const size_t query = req.target.find('?');
  if (query != std::string::npos) line["query"] = req.target.substr(query + 1);
  nlohmann::json body = nlohmann::json::parse(res.body, nullptr, false);
  line["body"] = body.is_discarded() ? nlohmann::json(res.body) : std::move(body);
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  // One write: O_APPEND keeps each line whole among other writers.
  (void)!write(fd_, text.data(), text.size());
}

}  // namespace imsemu::http
