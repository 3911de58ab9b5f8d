// HttpCall: one keep-alive connection to an emulator API and the mapping of
// its answers to Status, shared by the typed clients (ims_emulator/clients.h).
// Not thread-safe.
#pragma once

#include <memory>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "ims_emulator/status.h"

namespace imsemu::clients {

class HttpCall {
 public:
  // `address` is "http://host:port", "host:port", or "host:port/prefix".
  explicit HttpCall(const std::string& address, httplib::Headers headers = {});

  // Sends a request and returns the JSON body of a 2xx answer, or the
  // error as a Status (see clients.h).
  StatusOr<nlohmann::json> Get(const std::string& path);
  StatusOr<nlohmann::json> Send(const std::string& method, const std::string& path,
                                const nlohmann::json& body);

 private:
  StatusOr<nlohmann::json> Answer(const httplib::Result& result);

  std::string server_;  // "host:port"
  std::string prefix_;
  httplib::Headers headers_;
  std::unique_ptr<httplib::Client> http_;
};

}  // namespace imsemu::clients
