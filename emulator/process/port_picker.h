// PortPicker: host ports for real game servers.
//
// By default the OS picks a free port (bound on UDP and TCP, then released);
// with a range, ports are tried in turn from a rotating cursor and the first
// that binds on both protocols is taken. A port is free when picked; a game
// server that is slow to bind it may, rarely, lose it to another process.
// Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "emulator/util/mutex.h"
#include "ims_emulator/status.h"

namespace imsemu::process {

class PortPicker {
 public:
  // `range` is [first, last]; nullopt lets the OS pick.
  explicit PortPicker(std::optional<std::pair<int, int>> range = std::nullopt);

  // A free port; 0 when none could be found.
  int Pick();
  // A free TCP port on 127.0.0.1 picked by the OS (for a listener); 0 if none.
  static int FreeTcpPort();

  // Parses "LO-HI" (1024 <= LO <= HI <= 65535); InvalidArgument otherwise.
  static StatusOr<std::pair<int, int>> ParseRange(const std::string& text);

 private:
  std::optional<std::pair<int, int>> range_;
  Mutex mu_;
  int cursor_ IMSEMU_GUARDED_BY(mu_) = 0;
};

}  // namespace imsemu::process
