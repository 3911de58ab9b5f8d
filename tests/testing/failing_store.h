// WorldStoreWrapper forwards every call to another store (leveldb's
// EnvWrapper idea): a test store overrides only what it changes.
// FailingWorldStore makes commits fail on demand, to reach the world's
// rollback paths: a failed operation must change nothing.
#pragma once

#include "emulator/core/world_store.h"

namespace imsemu::test {

class WorldStoreWrapper : public core::WorldStore {
 public:
  explicit WorldStoreWrapper(core::WorldStore& target) : target_(target) {}

  void Begin() override { target_.Begin(); }
  Status Commit() override { return target_.Commit(); }
  void Rollback() override { target_.Rollback(); }
  void BeginStep() override { target_.BeginStep(); }
  Status EndStep(bool keep) override { return target_.EndStep(keep); }
  void Clear() override { target_.Clear(); }
  bool HoldsWorld() override { return target_.HoldsWorld(); }
  std::optional<std::string> GetMeta(const std::string& key) override {
    return target_.GetMeta(key);
  }
  void PutMeta(const std::string& key, const std::string& value) override {
    target_.PutMeta(key, value);
  }
  bool HasProject(const std::string& id) override { return target_.HasProject(id); }
  void PutProject(const std::string& id) override { target_.PutProject(id); }
  std::vector<std::string> ListProjects() override { return target_.ListProjects(); }
  std::optional<core::Allocation> GetAllocation(const std::string& id) override {
    return target_.GetAllocation(id);
  }
  void PutAllocation(const core::Allocation& allocation) override {
    target_.PutAllocation(allocation);
  }
  void DeleteAllocation(const std::string& id) override { target_.DeleteAllocation(id); }
  std::vector<core::Allocation> ListAllocations(const std::string& project_id) override {
    return target_.ListAllocations(project_id);
  }
  std::optional<core::Payload> GetPayload(const std::string& id) override {
    return target_.GetPayload(id);
  }
  void PutPayload(const core::Payload& payload) override { target_.PutPayload(payload); }
  void DeletePayload(const std::string& id) override { target_.DeletePayload(id); }
  void VisitPayloads(const std::string& allocation_id, std::optional<core::PayloadState> state,
                     const std::function<bool(const core::Payload&)>& visit) override {
    target_.VisitPayloads(allocation_id, state, visit);
  }
  core::StateCounts CountPayloads(const std::string& allocation_id) override {
    return target_.CountPayloads(allocation_id);
  }
  std::optional<Time> NextTimer() override { return target_.NextTimer(); }
  std::optional<core::Payload> NextDuePayload(Time now) override {
    return target_.NextDuePayload(now);
  }
  long long AppendEvent(const core::Event& event) override { return target_.AppendEvent(event); }
  std::vector<core::Event> ListEvents(long long after, int limit) override {
    return target_.ListEvents(after, limit);
  }

 private:
  core::WorldStore& target_;
};

class FailingWorldStore : public WorldStoreWrapper {
 public:
  using WorldStoreWrapper::WorldStoreWrapper;

  // The next `n` commits fail (as a full disk would) and roll back.
  void FailCommits(int n) { fail_commits_ = n; }
  int failed_commits() const { return failed_; }
  // Commits that reached the store (failed or not).
  int commits() const { return commits_; }
  // The next `n` steps that would be kept fail as a write would, undone.
  void FailSteps(int n) { fail_steps_ = n; }

  Status Commit() override {
    ++commits_;
    if (fail_commits_ == 0) return WorldStoreWrapper::Commit();
    --fail_commits_;
    ++failed_;
    WorldStoreWrapper::Rollback();
    return Status(StatusCode::kInternal, "disk I/O error (injected)");
  }
  Status EndStep(bool keep) override {
    if (!keep || fail_steps_ == 0) return WorldStoreWrapper::EndStep(keep);
    --fail_steps_;
    IMSEMU_RETURN_IF_ERROR(WorldStoreWrapper::EndStep(false));
    return Status(StatusCode::kInternal, "disk full (injected)");
  }

 private:
  int fail_commits_ = 0;
  int failed_ = 0;
  int commits_ = 0;
  int fail_steps_ = 0;
};

}  // namespace imsemu::test
