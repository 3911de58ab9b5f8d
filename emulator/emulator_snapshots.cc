// EmulatorImpl's snapshots: export, import and named in-memory snapshots.
#include "emulator/emulator.h"
#include "emulator/http/control_json.h"
#include "emulator/store/snapshot_file.h"

namespace imsemu {
namespace {

constexpr size_t kMaxSnapshotName = 128;

StatusOr<std::vector<http::Fault>> FaultsFromRecords(const nlohmann::json& records) {
  std::vector<http::Fault> faults;
  for (size_t i = 0; i < records.size(); ++i) {
    IMSEMU_ASSIGN_OR_RETURN(
        http::Fault f, http::FaultRecordFromJson(records[i], "faults[" + std::to_string(i) + "]"));
    faults.push_back(std::move(f));
  }
  return faults;
}

}  // namespace

Status EmulatorImpl::ImportFaults(const store::Snapshot& snapshot) {
  StatusOr<std::vector<http::Fault>> faults = FaultsFromRecords(snapshot.faults);
  if (!faults.ok()) {
    return Status(faults.status().code(), options_.import_path + ": " + faults.status().message());
  }
  return faults_->Replace(*faults);
}

std::string EmulatorImpl::ExportWorld() {
  store::Snapshot snapshot;
  snapshot.image = world_->Capture();
  snapshot.virtual_clock = clock_->IsVirtual();
  snapshot.journal = world_->Journal();
  for (const http::Fault& f : faults_->List())
    snapshot.faults.push_back(http::FaultRecordToJson(f));
  // Up to where the image stood: events journalled since belong to a later world.
  std::erase_if(snapshot.journal,
                [&](const core::Event& e) { return e.seq > snapshot.image.journal_seq; });
  return store::EncodeSnapshot(snapshot);
}

Status EmulatorImpl::RestoreImage(const SavedWorld& saved, const std::string& detail) {
  // The faults first: they are checked whole before anything changes.
  const std::vector<http::Fault> faults_before = faults_->List();
  IMSEMU_RETURN_IF_ERROR(faults_->Replace(saved.faults));
  auto* virtual_clock = dynamic_cast<VirtualClock*>(clock_.get());
  const Time before = clock_->Now();
  // Back, too: a restore is the one way back. A refused one changes nothing.
  if (virtual_clock) virtual_clock->SetTime(saved.image.now);
  Status s = world_->Restore(saved.image, detail);
  if (!s.ok()) {
    if (virtual_clock) virtual_clock->SetTime(before);
    (void)faults_->Replace(faults_before);  // they were valid
  }
  return s;
}

Status EmulatorImpl::ImportWorld(const std::string& path) {
  IMSEMU_ASSIGN_OR_RETURN(store::Snapshot snapshot, store::ReadSnapshotFile(path));
  StatusOr<std::vector<http::Fault>> faults = FaultsFromRecords(snapshot.faults);
  if (!faults.ok()) return Status(faults.status().code(), path + ": " + faults.status().message());
  Status s = RestoreImage({std::move(snapshot.image), *std::move(faults)}, "imported from " + path);
  if (!s.ok()) return Status(s.code(), path + ": " + s.message());
  return OkStatus();
}

Status EmulatorImpl::TakeSnapshot(const std::string& name) {
  if (name.empty() || name.size() > kMaxSnapshotName) {
    return InvalidArgument("a snapshot's name must be 1.." + std::to_string(kMaxSnapshotName) +
                           " characters");
  }
  SavedWorld saved{world_->Capture(), faults_->List()};
  MutexLock lock(snapshots_mu_);
  snapshots_[name] = std::move(saved);
  return OkStatus();
}

Status EmulatorImpl::RestoreSnapshot(const std::string& name) {
  SavedWorld saved;
  {
    MutexLock lock(snapshots_mu_);
    auto it = snapshots_.find(name);
    if (it == snapshots_.end()) {
      std::string known;
      for (const auto& [n, _] : snapshots_) known += (known.empty() ? "" : ", ") + n;
      return NotFound("no snapshot named '" + name +
                      "' (taken: " + (known.empty() ? "none" : known) + ")");
    }
    saved = it->second;
  }
  return RestoreImage(saved, "restored snapshot '" + name + "'");
}

std::vector<std::pair<std::string, Time>> EmulatorImpl::SnapshotList() {
  MutexLock lock(snapshots_mu_);
  std::vector<std::pair<std::string, Time>> out;
  for (const auto& [name, saved] : snapshots_) out.emplace_back(name, saved.image.now);
  return out;
}

}  // namespace imsemu
