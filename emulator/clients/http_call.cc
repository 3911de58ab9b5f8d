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

HttpReply HttpCall::Exchange(const std::string& method, const std::string& path,
                             const std::string& body, const std::string& content_type,
                             const httplib::Headers& headers) {
  httplib::Headers all = headers_;
  all.insert(headers.begin(), headers.end());
  const std::string target = prefix_ + path;
  auto send = [&] {
    return method == "GET"   ? http_->Get(target.c_str(), all)
           : method == "PUT" ? http_->Put(target.c_str(), all, body, content_type.c_str())
           : method == "DELETE"
               ? (body.empty() ? http_->Delete(target.c_str(), all)
                               : http_->Delete(target.c_str(), all, body, content_type.c_str()))
               : http_->Post(target.c_str(), all, body, content_type.c_str());
  };
  httplib::Result r = send();
  // A kept-alive connection the server closed as the request went out (its
  // listener was replaced, or it timed the connection out) is no answer to
  // the request: an idempotent one is sent once more, on a new connection,
  // as HTTP clients do (RFC 9110, 9.2.2). A POST is not: it may have been
  // done.
  if (!r && (r.error() == httplib::Error::Read || r.error() == httplib::Error::Write) &&
      method != "POST") {
    r = send();
  }
  HttpReply reply;
  if (!r) {
    reply.error = "no answer from " + server_ + " (" + httplib::to_string(r.error()) + ")";
    return reply;
  }
  reply.status = r->status;
  reply.body = std::move(r->body);
  reply.headers = std::move(r->headers);
  return reply;
}

StatusOr<nlohmann::json> HttpCall::Answer(const HttpReply& reply) {
  if (reply.status == 0) return Status(StatusCode::kUnavailable, reply.error);
  nlohmann::json body = nlohmann::json::parse(reply.body, nullptr, false);
  if (reply.status >= 200 && reply.status < 300) {
    if (body.is_discarded()) return Internal("the answer is not JSON: " + reply.body);
    return body;
  }
  std::string message = body.is_object() && body.contains("message") && body["message"].is_string()
                            ? body["message"].get<std::string>()
                            : reply.body;
  return Status(CodeFor(reply.status), message + " (HTTP " + std::to_string(reply.status) + ")");
}

StatusOr<nlohmann::json> HttpCall::Get(const std::string& path) {
  return Answer(Exchange("GET", path));
}

StatusOr<nlohmann::json> HttpCall::Call(const routes::Route& route,
                                        const std::map<std::string, std::string>& values,
                                        const nlohmann::json& body, const std::string& query) {
  return Send(route.method, routes::Expand(route.path, values) + query, body);
}

StatusOr<nlohmann::json> HttpCall::Send(const std::string& method, const std::string& path,
                                        const nlohmann::json& body) {
  return Answer(Exchange(method, path, body.is_null() ? "" : body.dump()));
}

}  // namespace imsemu::clients
