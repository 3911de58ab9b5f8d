// HttpCall: one keep-alive connection to an emulator API (or any HTTP/1.1
// server on loopback). The one HTTP client of the project: the typed clients
// (ims_emulator/clients.h), the scenario runner and our tests all send through
// it. Not thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "emulator/util/api_routes.h"
#include "ims_emulator/status.h"

namespace imsemu::clients {

// An answer as it came, whatever its status.
struct HttpReply {
  int status = 0;  // 0: no answer (nothing listening, or the connection broke)
  std::string body;
  httplib::Headers headers;
  std::string error;  // why there is no answer
};

class HttpCall {
 public:
  // `address` is "http://host:port", "host:port", or "host:port/prefix"
  // (an ORCHESTRATION_PAYLOAD_API value); every path is sent after the prefix.
  explicit HttpCall(const std::string& address, httplib::Headers headers = {});

  // Sends one request (GET, POST, PUT or DELETE); `headers` come after the
  // call's own. A broken keep-alive connection is reopened by the next call.
  HttpReply Exchange(const std::string& method, const std::string& path,
                     const std::string& body = "",
                     const std::string& content_type = "application/json",
                     const httplib::Headers& headers = {});

  // The JSON body of a 2xx answer, or the error as a Status (see clients.h).
  StatusOr<nlohmann::json> Get(const std::string& path);
  // `route` with its {names} from `values`, then `query` ("?a=b" or ""); a
  // null `body` sends none.
  StatusOr<nlohmann::json> Call(const routes::Route& route,
                                const std::map<std::string, std::string>& values = {},
                                const nlohmann::json& body = nullptr,
                                const std::string& query = "");
  StatusOr<nlohmann::json> Send(const std::string& method, const std::string& path,
                                const nlohmann::json& body);

  const std::string& server() const { return server_; }  // "host:port"
  const std::string& prefix() const { return prefix_; }

 private:
  StatusOr<nlohmann::json> Answer(const HttpReply& reply);

  std::string server_;
  std::string prefix_;
  httplib::Headers headers_;
  std::unique_ptr<httplib::Client> http_;
};

}  // namespace imsemu::clients
