// SnapshotFile: a whole world in one JSON file, for `ims-emulator export`,
// `serve --import`, the control API's export and import, and bug reports.
//
// The file holds the world (projects, allocations and payloads as the store
// records them, internal fields included), the streams it hands ids and
// ports from, the clock's mode and time, the journal, and the faults in force. It says which
// format version wrote it: a file from a newer version is refused by name,
// never half read. Pure functions, plus an atomic file write.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/core/event.h"
#include "emulator/core/world.h"
#include "ims_emulator/status.h"

namespace imsemu::store {

// The format this build writes and the newest it reads.
inline constexpr int kSnapshotVersion = 1;

struct Snapshot {
  core::WorldImage image;
  bool virtual_clock = false;
  std::vector<core::Event> journal;
  // The faults in force (/emulator/v0/faults), as the control API records
  // them (http/control_json.h's FaultRecordToJson): carried, not read, here.
  nlohmann::json faults = nlohmann::json::array();
};

std::string EncodeSnapshot(const Snapshot& snapshot);
// InvalidArgument naming the field that is wrong; FailedPrecondition for a
// file written by a newer version.
StatusOr<Snapshot> DecodeSnapshot(std::string_view text);

// Reads and decodes `path` (errors name it).
StatusOr<Snapshot> ReadSnapshotFile(const std::string& path);

// Writes `bytes` to `path` so that `path` holds either its old contents or
// all of the new ones, whatever happens (a temporary file beside it, fsync,
// rename, fsync of the folder): an interrupted export never damages the
// previous file. A `path` that is not a regular file (a device such as
// /dev/null, a pipe, /dev/stdout) is written in place, never replaced.
Status WriteFileAtomically(const std::string& path, std::string_view bytes);

}  // namespace imsemu::store
