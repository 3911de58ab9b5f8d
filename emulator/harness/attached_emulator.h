// AttachedEmulator: an Emulator that is already running elsewhere (its
// IMS_EMULATOR_URL, as `ims-emulator exec` gives it), driven through its
// control API, so the gtest harness runs the same test in-process or under
// `exec`. It does not own that emulator: Stop() only lets go of it. While
// attached it holds the emulator's claim (emulator_claim.h): tests that
// share one emulator take turns instead of resetting each other's world.
// Observers cannot be told across the wire: adding one is accepted and it
// hears nothing (the harness says so when a test uses them).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "emulator/harness/emulator_claim.h"
#include "ims_emulator/clients.h"
#include "ims_emulator/emulator.h"

namespace imsemu::harness {

class AttachedEmulator final : public Emulator {
 public:
  // Waits for the claim on `url`, then attaches; Unavailable if nothing
  // answers at its health check.
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
  void Stop() override;  // lets go of the claim

 private:
  AttachedEmulator(std::string url, int port, EmulatorClaim claim);
  // The world's state now; an empty one if the emulator does not answer.
  WorldState State() const;

  const std::string url_;
  const int port_;
  std::optional<EmulatorClaim> claim_;  // until Stop()
  mutable std::mutex mu_;               // the control client is not thread-safe
  mutable ControlClient control_;       // guarded by mu_
};

}  // namespace imsemu::harness
