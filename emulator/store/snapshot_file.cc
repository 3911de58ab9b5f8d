#include "emulator/store/snapshot_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "emulator/codec/process_exit_json.h"
#include "emulator/store/records.h"
#include "emulator/util/rfc3339.h"

namespace imsemu::store {
namespace {

using Json = nlohmann::json;

constexpr const char* kFormat = "ims-emulator snapshot";

Json EventToRecord(const core::Event& e) {
  Json out = {{"seq", e.seq},
              {"time_ms", UnixMs(e.time)},
              {"level", core::EventLevelName(e.level)},
              {"actor", core::ActorName(e.actor)},
              {"kind", core::EventKindName(e.kind)},
              {"project_id", e.project_id},
              {"allocation_id", e.allocation_id},
              {"payload_id", e.payload_id},
              {"old_state", e.old_state},
              {"new_state", e.new_state},
              {"detail", e.detail}};
  if (e.exit) out["exit"] = codec::ProcessExitToJson(*e.exit);
  return out;
}

// Reads field `key` of `object` as T, or names what is wrong with it. An
// integer must be one, and fit.
template <typename T>
Status Field(const Json& object, const char* key, const std::string& where, T& out) {
  auto it = object.find(key);
  if (it == object.end()) return InvalidArgument(where + key + " is missing");
  if constexpr (std::is_integral_v<T>) {
    const bool fits = it->is_number_unsigned()
                          ? it->template get<unsigned long long>() <=
                                static_cast<unsigned long long>(std::numeric_limits<T>::max())
                          : it->is_number_integer() && it->template get<long long>() >= 0 &&
                                static_cast<unsigned long long>(it->template get<long long>()) <=
                                    static_cast<unsigned long long>(std::numeric_limits<T>::max());
    if (!fits) {
      return InvalidArgument(where + key + " must be a non-negative integer that fits, got " +
                             it->dump().substr(0, 40));
    }
  }
  try {
    out = it->get<T>();
  } catch (const Json::exception&) {
    return InvalidArgument(where + key + " has the wrong type (" + it->type_name() + ")");
  }
  return OkStatus();
}

StatusOr<core::Event> EventFromRecord(const Json& j, const std::string& where) {
  if (!j.is_object()) return InvalidArgument(where + " is not an object");
  core::Event e;
  long long time_ms = 0;
  std::string level, actor, kind;
  const std::string at = where + ".";
  IMSEMU_RETURN_IF_ERROR(Field(j, "seq", at, e.seq));
  IMSEMU_RETURN_IF_ERROR(Field(j, "time_ms", at, time_ms));
  IMSEMU_RETURN_IF_ERROR(Field(j, "level", at, level));
  IMSEMU_RETURN_IF_ERROR(Field(j, "actor", at, actor));
  IMSEMU_RETURN_IF_ERROR(Field(j, "kind", at, kind));
  e.time = Time(Duration(time_ms));
  auto parsed_level = core::ParseEventLevel(level);
  auto parsed_actor = core::ParseActor(actor);
  auto parsed_kind = core::ParseEventKind(kind);
  if (!parsed_level || !parsed_actor || !parsed_kind) {
    return InvalidArgument(where + " has a level, actor or kind this version does not know");
  }
  e.level = *parsed_level;
  e.actor = *parsed_actor;
  e.kind = *parsed_kind;
  for (const auto& [key, field] :
       {std::pair{"project_id", &e.project_id}, std::pair{"allocation_id", &e.allocation_id},
        std::pair{"payload_id", &e.payload_id}, std::pair{"old_state", &e.old_state},
        std::pair{"new_state", &e.new_state}, std::pair{"detail", &e.detail}}) {
    IMSEMU_RETURN_IF_ERROR(Field(j, key, at, *field));
  }
  if (auto exit = j.find("exit"); exit != j.end()) {
    IMSEMU_ASSIGN_OR_RETURN(e.exit, codec::ProcessExitFromJson(*exit, at + "exit"));
  }
  return e;
}

// The array `key` of `root`, each element decoded by `decode`.
template <typename T, typename Decode>
Status Each(const Json& root, const char* key, std::vector<T>& out, Decode decode) {
  auto it = root.find(key);
  if (it == root.end() || !it->is_array())
    return InvalidArgument(std::string(key) + " must be an array");
  for (size_t i = 0; i < it->size(); ++i) {
    const std::string where = std::string(key) + "[" + std::to_string(i) + "]";
    IMSEMU_ASSIGN_OR_RETURN(T value, decode((*it)[i], where));
    out.push_back(std::move(value));
  }
  return OkStatus();
}

}  // namespace

std::string EncodeSnapshot(const Snapshot& s) {
  const core::WorldImage& image = s.image;
  Json allocations = Json::array();
  for (const core::Allocation& a : image.allocations) {
    allocations.push_back(Json::parse(EncodeAllocationRecord(a)));
  }
  Json payloads = Json::array();
  for (const core::Payload& p : image.payloads) {
    payloads.push_back(Json::parse(EncodePayloadRecord(p)));
  }
  Json journal = Json::array();
  for (const core::Event& e : s.journal) journal.push_back(EventToRecord(e));
  Json out = {{"format", kFormat},
              {"version", kSnapshotVersion},
              {"clock",
               {{"mode", s.virtual_clock ? "virtual" : "real"},
                {"now", FormatRfc3339(image.now)},
                {"now_ms", UnixMs(image.now)}}},
              {"counters",
               {{"id_draws", image.id_draws},
                {"next_seq", image.next_seq},
                {"next_game_port", image.next_game_port},
                {"status_cache_origin_ms", UnixMs(image.status_cache_origin)},
                {"journal_seq", image.journal_seq}}},
              {"projects", image.projects},
              {"allocations", std::move(allocations)},
              {"payloads", std::move(payloads)},
              {"journal", std::move(journal)},
              {"faults", s.faults.is_array() ? s.faults : Json::array()}};
  return out.dump(1) + "\n";
}

StatusOr<Snapshot> DecodeSnapshot(std::string_view text) {
  Json root = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (!root.is_object() || root.value("format", Json()) != kFormat) {
    return InvalidArgument("not an ims-emulator snapshot (its \"format\" must be \"" +
                           std::string(kFormat) + "\")");
  }
  int version = 0;
  IMSEMU_RETURN_IF_ERROR(Field(root, "version", "", version));
  if (version > kSnapshotVersion) {
    return FailedPrecondition("the snapshot was written by a newer ims-emulator (format version " +
                              std::to_string(version) + "; this one reads up to " +
                              std::to_string(kSnapshotVersion) + "): upgrade to import it");
  }
  if (version < 1) return InvalidArgument("version must be at least 1");
  Snapshot s;
  core::WorldImage& image = s.image;
  const Json clock = root.value("clock", Json());
  const Json counters = root.value("counters", Json());
  if (!clock.is_object()) return InvalidArgument("clock must be an object");
  if (!counters.is_object()) return InvalidArgument("counters must be an object");
  std::string mode;
  long long now_ms = 0, origin_ms = 0;
  IMSEMU_RETURN_IF_ERROR(Field(clock, "mode", "clock.", mode));
  if (mode != "virtual" && mode != "real")
    return InvalidArgument("clock.mode must be virtual or real");
  s.virtual_clock = mode == "virtual";
  IMSEMU_RETURN_IF_ERROR(Field(clock, "now_ms", "clock.", now_ms));
  image.now = Time(Duration(now_ms));
  IMSEMU_RETURN_IF_ERROR(Field(counters, "id_draws", "counters.", image.id_draws));
  IMSEMU_RETURN_IF_ERROR(Field(counters, "next_seq", "counters.", image.next_seq));
  IMSEMU_RETURN_IF_ERROR(Field(counters, "next_game_port", "counters.", image.next_game_port));
  IMSEMU_RETURN_IF_ERROR(Field(counters, "status_cache_origin_ms", "counters.", origin_ms));
  image.status_cache_origin = Time(Duration(origin_ms));
  IMSEMU_RETURN_IF_ERROR(Field(counters, "journal_seq", "counters.", image.journal_seq));
  IMSEMU_RETURN_IF_ERROR(Field(root, "projects", "", image.projects));
  IMSEMU_RETURN_IF_ERROR(
      Each(root, "allocations", image.allocations,
           [](const Json& j, const std::string& where) -> StatusOr<core::Allocation> {
             auto a = j.is_object() ? DecodeAllocationRecord(j.dump()) : std::nullopt;
             if (!a) return InvalidArgument(where + " is not an allocation");
             return *std::move(a);
           }));
  IMSEMU_RETURN_IF_ERROR(
      Each(root, "payloads", image.payloads,
           [](const Json& j, const std::string& where) -> StatusOr<core::Payload> {
             auto p = j.is_object() ? DecodePayloadRecord(j.dump()) : std::nullopt;
             if (!p) return InvalidArgument(where + " is not a payload");
             return *std::move(p);
           }));
  IMSEMU_RETURN_IF_ERROR(Each(root, "journal", s.journal, EventFromRecord));
  // Files written before faults travelled have none.
  s.faults = root.value("faults", Json::array());
  if (!s.faults.is_array()) return InvalidArgument("faults must be an array");
  return s;
}

StatusOr<Snapshot> ReadSnapshotFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read snapshot file '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  StatusOr<Snapshot> s = DecodeSnapshot(text.str());
  if (!s.ok()) return Status(s.status().code(), path + ": " + s.status().message());
  return s;
}

namespace {

// Writes all of `bytes` to `fd`; false with errno set when it cannot.
bool WriteAllTo(int fd, std::string_view bytes) {
  for (size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// `bytes` written into what `path` already is, as a shell's `>` does.
Status WriteInPlace(const std::string& path, std::string_view bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  const bool ok = fd >= 0 && WriteAllTo(fd, bytes);
  const std::string reason = std::strerror(errno);
  if (fd >= 0) ::close(fd);
  if (!ok) return Status(StatusCode::kUnavailable, "cannot write '" + path + "': " + reason);
  return OkStatus();
}

}  // namespace

Status WriteFileAtomically(const std::string& path, std::string_view bytes) {
  namespace fs = std::filesystem;
  struct stat existing {};
  if (::stat(path.c_str(), &existing) == 0 && !S_ISREG(existing.st_mode)) {
    if (S_ISDIR(existing.st_mode)) {
      return Status(StatusCode::kInvalidArgument,
                    "cannot write '" + path + "': it is a folder; name a file");
    }
    // A device, a pipe or a terminal (/dev/null, /dev/stdout): a rename would
    // replace it with a file (as root, /dev/null itself).
    return WriteInPlace(path, bytes);
  }
  const fs::path target(path);
  const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
  // Appended, not `"." + name`: GCC 12 at -O3 warns falsely (-Wrestrict) on that.
  const std::string temp = (folder / std::string(".")
                                         .append(target.filename().string())
                                         .append(".tmp-")
                                         .append(std::to_string(getpid())))
                               .string();
  auto fail = [&](const std::string& what) {
    const std::string reason = std::strerror(errno);
    ::unlink(temp.c_str());
    return Status(StatusCode::kUnavailable, "cannot write '" + path + "': " + what + ": " + reason);
  };
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail("create " + temp);
  if (!WriteAllTo(fd, bytes)) {
    const int error = errno;
    ::close(fd);
    errno = error;
    return fail("write");
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    return fail("fsync");
  }
  if (::close(fd) != 0) return fail("close");
  if (::rename(temp.c_str(), path.c_str()) != 0) return fail("rename");
  const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    (void)::fsync(dir);  // the rename itself, durable
    ::close(dir);
  }
  return OkStatus();
}

}  // namespace imsemu::store
