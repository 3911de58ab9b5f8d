// Responses: the one place that turns a Status into an HTTP answer.
//
// Each API surface has its own documented codes (the orchestration API
// answers 412 where the Payload Local API answers 409), and all of them use
// the body shape {"message": string, "request_id": string}. Every error gets
// a new request id (also in the X-Request-Id header) from a per-emulator
// counter, so runs are reproducible. Thread-safe.
#pragma once

#include <atomic>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "ims_emulator/status.h"

namespace imsemu::http {

enum class Surface { kPayloadLocal, kSessionManager, kOrchestration, kControl };

class RequestIds {
 public:
  // A new id, e.g. "req-0000002a".
  std::string Next();

 private:
  std::atomic<unsigned long long> next_{1};
};

// The HTTP status `code` answers with on `surface`.
int HttpStatusFor(Surface surface, StatusCode code);

void WriteJson(httplib::Response& res, const nlohmann::json& body, int status = 200);
void WriteError(httplib::Response& res, Surface surface, const Status& status, RequestIds& ids);
// Writes {"message","request_id"} with an explicit HTTP status.
void WriteErrorBody(httplib::Response& res, int http_status, const std::string& message,
                    RequestIds& ids);

// Parses the request body as JSON (an empty body parses as `empty_value`).
StatusOr<nlohmann::json> ParseBody(const httplib::Request& req,
                                   const nlohmann::json& empty_value = nlohmann::json::object());
// The request body as a JSON object with only `fields` in it (empty: {}):
// an unknown field is an error naming it.
StatusOr<nlohmann::json> ReadObjectBody(const httplib::Request& req,
                                        std::initializer_list<std::string_view> fields);

}  // namespace imsemu::http
