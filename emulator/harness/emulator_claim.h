// EmulatorClaim: one test at a time on an emulator that tests share (the one
// IMS_EMULATOR_URL names, as `ims-emulator exec -- ctest -j8` gives every
// test binary). Each test resets that world and builds its own story in it,
// so two at once would see each other's sessions: a test claims the
// emulator for its duration, and the next one waits. The claim is an
// flock(2) on a file named after the URL in the temporary directory: it
// holds between processes of this machine and ends with its process, even
// one killed.
#pragma once

#include <string>

#include "ims_emulator/status.h"

namespace imsemu::harness {

class EmulatorClaim {
 public:
  // Claims the emulator at `url`, waiting while another holds it (or, with
  // `wait` false, Unavailable at once). Unavailable if the claim file cannot
  // be opened (the message names it).
  static StatusOr<EmulatorClaim> Take(const std::string& url, bool wait = true);
  // The claim file for `url`: the temporary directory's
  // ims-emulator-claim-<url with every character but [A-Za-z0-9.-] as _>.
  static std::string FileFor(const std::string& url);

  EmulatorClaim(EmulatorClaim&& other) noexcept;
  EmulatorClaim& operator=(EmulatorClaim&& other) noexcept;
  EmulatorClaim(const EmulatorClaim&) = delete;
  EmulatorClaim& operator=(const EmulatorClaim&) = delete;
  ~EmulatorClaim();  // lets go

 private:
  explicit EmulatorClaim(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace imsemu::harness
