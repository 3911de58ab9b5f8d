// SnapshotApi: the control API's snapshots — export the whole world as one
// file, import one, and take and restore named in-memory snapshots (the
// scenario steps emulator.snapshot and emulator.restore).
//
// It reaches the emulator only through `SnapshotHooks`. Thread-safe.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <httplib.h>

#include "emulator/clock/clock.h"
#include "emulator/http/responses.h"

namespace imsemu::http {

struct SnapshotHooks {
  const Clock* clock = nullptr;
  // The world, its clock and journal as a snapshot file's text.
  std::function<std::string()> export_world;
  // Restores the snapshot file at a path the emulator reads.
  std::function<Status(const std::string&)> import_world;
  std::function<Status(const std::string&)> take_snapshot;
  std::function<Status(const std::string&)> restore_snapshot;
  // {name, the world's time when taken}.
  std::function<std::vector<std::pair<std::string, Time>>()> snapshots;
};

void MountSnapshotApi(httplib::Server& server, RequestIds& ids, SnapshotHooks hooks);

}  // namespace imsemu::http
