// PayloadApiOutages: while a payload's Payload Local API is down
// (World::TakePayloadApiDown), its calls through the main port's
// `/payloads/{id}/` prefix answer 503 in the API's error shape, as a fault
// listed with the others. (Its own port's listener closes instead: see
// PayloadListeners.) The world's timers decide when; this only follows.
// Thread-safe.
#pragma once

#include <map>
#include <string>

#include "emulator/core/world.h"
#include "emulator/http/faults.h"
#include "emulator/util/mutex.h"

namespace imsemu::http {

class PayloadApiOutages final : public core::PayloadObserver {
 public:
  explicit PayloadApiOutages(Faults& faults) : faults_(faults) {}

  void OnPayloadAdded(const core::Payload& payload) override;
  void OnPayloadRemoved(const std::string& payload_id) override { Up(payload_id); }
  void OnPayloadApiDown(const std::string& payload_id) override;
  void OnPayloadApiUp(const std::string& payload_id) override { Up(payload_id); }

 private:
  void Up(const std::string& payload_id);

  Faults& faults_;
  Mutex mu_;
  std::map<std::string, long long> fault_of_ IMSEMU_GUARDED_BY(mu_);  // payload id -> fault id
};

}  // namespace imsemu::http
