#include "emulator/http/responses.h"

#include <cstdio>

#include "emulator/codec/json_fields.h"

namespace imsemu::http {

std::string RequestIds::Next() {
  char buf[24];
  std::snprintf(buf, sizeof buf, "req-%08llx", next_.fetch_add(1));
  return buf;
}

int HttpStatusFor(Surface surface, StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
      return 409;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kInternal:
      return 500;
    case StatusCode::kFailedPrecondition:
      switch (surface) {
        case Surface::kOrchestration:
          return 412;
        case Surface::kSessionManager:
          return 500;
        default:
          return 409;
      }
    case StatusCode::kResourceExhausted:
      return surface == Surface::kSessionManager ? 500 : 429;
  }
  return 500;
}

void WriteJson(httplib::Response& res, const nlohmann::json& body, int status) {
  res.status = status;
  // Replace, never throw: a message may echo bytes a client sent.
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
}

void WriteErrorBody(httplib::Response& res, int http_status, const std::string& message,
                    RequestIds& ids) {
  const std::string id = ids.Next();
  res.set_header("X-Request-Id", id);
  WriteJson(res, {{"message", message}, {"request_id", id}}, http_status);
}

void WriteError(httplib::Response& res, Surface surface, const Status& status, RequestIds& ids) {
  WriteErrorBody(res, HttpStatusFor(surface, status.code()), status.message(), ids);
}

StatusOr<nlohmann::json> ParseBody(const httplib::Request& req, const nlohmann::json& empty_value) {
  return codec::ParseJson(req.body, empty_value);
}

StatusOr<nlohmann::json> ReadObjectBody(const httplib::Request& req,
                                        std::initializer_list<std::string_view> fields) {
  IMSEMU_ASSIGN_OR_RETURN(nlohmann::json body, ParseBody(req));
  IMSEMU_RETURN_IF_ERROR(codec::ExpectObject(body, ""));
  IMSEMU_RETURN_IF_ERROR(codec::RejectUnknownFields(body, "", fields));
  return body;
}

}  // namespace imsemu::http
