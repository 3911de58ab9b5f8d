// GroupCommit: brackets each request with the world's group commit
// (World::DeferCommits), so the changes of concurrent requests are written
// to a state file together, and each is stored before it is answered.
#pragma once

#include "emulator/core/world.h"
#include "emulator/http/http_server.h"

namespace imsemu::http {

class GroupCommit final : public RequestBracket {
 public:
  explicit GroupCommit(core::World& world) : world_(world) {}
  void Begin() override { world_.DeferCommits(); }
  Status End() override { return world_.CommitDeferred(); }

 private:
  core::World& world_;
};

}  // namespace imsemu::http
