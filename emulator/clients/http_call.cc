#include "emulator/clients/http_call.h"

namespace imsemu::clients {
namespace {

StatusCode CodeFor(int http_status) {
  switch (http_status) {
    case 400:
      return StatusCode::kInvalidArgument;
    case 401:
      return StatusCode::kUnauthenticated;
    case 403:
      return StatusCode::kPermissionDenied;
    case 404:
      return StatusCode::kNotFound;
    case 409:
    case 412:
      return StatusCode::kFailedPrecondition;
    case 429:
      return StatusCode::kResourceExhausted;
    case 503:
      return StatusCode::kUnavailable;
    default:
      return StatusCode::kInternal;
  }
}

}  // namespace

HttpCall::HttpCall(const std::string& address, httplib::Headers headers)
    : headers_(std::move(headers)) {
  std::string rest = address;
  if (rest.rfind("http://", 0) == 0) rest = rest.substr(7);
  const size_t slash = rest.find('/');
  if (slash != std::string::npos) {
    prefix_ = rest.substr(slash);
    rest = rest.substr(0, slash);
  }
  server_ = rest;
  http_ = std::make_unique<httplib::Client>("http://" + rest);
  http_->set_tcp_nodelay(true);
  http_->set_keep_alive(true);
  http_->set_connection_timeout(5, 0);
  http_->set_read_timeout(30, 0);
}

StatusOr<nlohmann::json> HttpCall::Answer(const httplib::Result& result) {
  if (!result) {
    return Status(StatusCode::kUnavailable,
                  "no answer from " + server_ + " (" + httplib::to_string(result.error()) + ")");
  }
  nlohmann::json body = nlohmann::json::parse(result->body, nullptr, false);
  if (result->status >= 200 && result->status < 300) {
    if (body.is_discarded()) return Internal("the answer is not JSON: " + result->body);
    return body;
  }
  std::string message = body.is_object() && body.contains("message") && body["message"].is_string()
                            ? body["message"].get<std::string>()
                            : result->body;
  return Status(CodeFor(result->status),
                message + " (HTTP " + std::to_string(result->status) + ")");
}

StatusOr<nlohmann::json> HttpCall::Get(const std::string& path) {
  return Answer(http_->Get((prefix_ + path).c_str(), headers_));
}

StatusOr<nlohmann::json> HttpCall::Send(const std::string& method, const std::string& path,
                                        const nlohmann::json& body) {
  const std::string text = body.is_null() ? "" : body.dump();
  const std::string target = prefix_ + path;
  if (method == "PUT")
    return Answer(http_->Put(target.c_str(), headers_, text, "application/json"));
  if (method == "DELETE") return Answer(http_->Delete(target.c_str(), headers_));
  return Answer(http_->Post(target.c_str(), headers_, text, "application/json"));
}

}  // namespace imsemu::clients
