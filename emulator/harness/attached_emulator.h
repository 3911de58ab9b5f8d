// AttachedEmulator: an Emulator that is already running elsewhere (its
// IMS_EMULATOR_URL, as `ims-emulator exec` gives it), driven through its
// control API, so the gtest harness runs the same test in-process or under
// `exec`. It does not own that emulator: Stop() only lets go of it.
// Observers cannot be told across the wire: adding one is accepted and it
// hears nothing (the harness says so when a test uses them).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ims_emulator/clients.h"
#include "ims_emulator/emulator.h"

namespace imsemu::harness {

class AttachedEmulator final : public Emulator {
 public:
  // Unavailable if nothing answers at `url`'s health check.
  static StatusOr<std::unique_ptr<Emulator>> Attach(const std::string& url);

  std::string base_url() const override { return url_; }
  int port() const override { return port_; }
  Status AdvanceClock(std::chrono::milliseconds d) override;
  Status Reset() override;
  std::vector<std::string> ProjectIds() override;
  std::vector<std::string> PayloadIds() override;
  std::string PayloadApiOf(const std::string& payload_id) const override;
  void AddObserver(GameServerObserver*) override {}
  void RemoveObserver(GameServerObserver*) override {}
  void AddObserver(GameClientObserver*) override {}
  void RemoveObserver(GameClientObserver*) override {}
  void Stop() override {}

 private:
  AttachedEmulator(std::string url, int port);
  // The world's state now; an empty one if the emulator does not answer.
  WorldState State() const;

  const std::string url_;
  const int port_;
  mutable std::mutex mu_;          // the control client is not thread-safe
  mutable ControlClient control_;  // guarded by mu_
};

}  // namespace imsemu::harness
