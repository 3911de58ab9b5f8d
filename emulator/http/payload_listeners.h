// PayloadListeners: one loopback listener per payload serving its Payload
// Local API, so each game server gets its own ORCHESTRATION_PAYLOAD_API.
//
// Listeners open when the world adds a payload and close when it removes
// one. The world tells us under its lock, so closing only asks the listener
// to stop (its handlers may be waiting for that lock); a reaper thread waits
// for stopped listeners outside it. Ports are picked by the OS. Thread-safe.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "emulator/core/world.h"
#include "emulator/http/http_server.h"

namespace imsemu::http {

class PayloadListeners final : public core::PayloadObserver {
 public:
  // `fixed_port`, when given, is where every payload's listener binds (IMS's
  // local mock serves its one payload on a fixed port); otherwise the OS
  // picks a free port for each.
  PayloadListeners(core::World& world, RequestIds& ids, std::string host,
                   std::optional<int> fixed_port = std::nullopt);
  ~PayloadListeners() override;

  void OnPayloadAdded(const core::Payload& payload) override;
  void OnPayloadRemoved(const std::string& payload_id) override;

  // The port of `payload_id`'s listener, if it has one.
  std::optional<int> PortOf(const std::string& payload_id) const;
  // Stops every listener and waits for them.
  void StopAll();

 private:
  void Reap();

  core::World& world_;
  RequestIds& ids_;
  const std::string host_;
  std::optional<int> fixed_port_;
  mutable std::mutex mu_;
  std::condition_variable reap_wanted_;
  std::map<std::string, std::unique_ptr<HttpServer>> listeners_;
  std::vector<std::unique_ptr<HttpServer>> retired_;
  bool stopping_ = false;
  std::thread reaper_;
};

}  // namespace imsemu::http
