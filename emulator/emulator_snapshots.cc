// EmulatorImpl's snapshots: export, import and named in-memory snapshots.
#include "emulator/emulator.h"
#include "emulator/store/snapshot_file.h"

namespace imsemu {
namespace {

constexpr size_t kMaxSnapshotName = 128;

}  // namespace

std::string EmulatorImpl::ExportWorld() {
  store::Snapshot snapshot;
  snapshot.image = world_->Capture();
  snapshot.virtual_clock = clock_->IsVirtual();
  snapshot.journal = world_->Journal();
  // Up to where the image stood: events journalled since belong to a later world.
  std::erase_if(snapshot.journal,
                [&](const core::Event& e) { return e.seq > snapshot.image.journal_seq; });
  return store::EncodeSnapshot(snapshot);
}

Status EmulatorImpl::RestoreImage(const core::WorldImage& image, const std::string& detail) {
  auto* virtual_clock = dynamic_cast<VirtualClock*>(clock_.get());
  const Time before = clock_->Now();
  // Back, too: a restore is the one way back. A refused one changes nothing.
  if (virtual_clock) virtual_clock->SetTime(image.now);
  Status s = world_->Restore(image, detail);
  if (!s.ok() && virtual_clock) virtual_clock->SetTime(before);
  return s;
}

Status EmulatorImpl::ImportWorld(const std::string& path) {
  IMSEMU_ASSIGN_OR_RETURN(store::Snapshot snapshot, store::ReadSnapshotFile(path));
  Status s = RestoreImage(snapshot.image, "imported from " + path);
  if (!s.ok()) return Status(s.code(), path + ": " + s.message());
  return OkStatus();
}

Status EmulatorImpl::TakeSnapshot(const std::string& name) {
  if (name.empty() || name.size() > kMaxSnapshotName) {
    return InvalidArgument("a snapshot's name must be 1.." + std::to_string(kMaxSnapshotName) +
                           " characters");
  }
  core::WorldImage image = world_->Capture();
  MutexLock lock(snapshots_mu_);
  snapshots_[name] = std::move(image);
  return OkStatus();
}

Status EmulatorImpl::RestoreSnapshot(const std::string& name) {
  core::WorldImage image;
  {
    MutexLock lock(snapshots_mu_);
    auto it = snapshots_.find(name);
    if (it == snapshots_.end()) {
      std::string known;
      for (const auto& [n, _] : snapshots_) known += (known.empty() ? "" : ", ") + n;
      return NotFound("no snapshot named '" + name +
                      "' (taken: " + (known.empty() ? "none" : known) + ")");
    }
    image = it->second;
  }
  return RestoreImage(image, "restored snapshot '" + name + "'");
}

std::vector<std::pair<std::string, Time>> EmulatorImpl::SnapshotList() {
  MutexLock lock(snapshots_mu_);
  std::vector<std::pair<std::string, Time>> out;
  for (const auto& [name, image] : snapshots_) out.emplace_back(name, image.now);
  return out;
}

}  // namespace imsemu
