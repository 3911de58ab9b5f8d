#include "tests/testing/test_world.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string_view>

#include "emulator/store/memory_world_store.h"
#include "emulator/store/sqlite_world_store.h"

namespace imsemu::test {

core::AllocationSpec TestSpec(int buffer_size, bool auto_ready, const std::string& session_type) {
  core::AllocationSpec spec;
  spec.name = "test";
  spec.annotations["session_type"] = session_type;
  spec.buffer_size = buffer_size;
  spec.auto_ready = auto_ready;
  spec.payload_spec.ports.push_back({"GamePort", 7777, "UDP"});
  return spec;
}

core::Fixture OneAllocation(core::AllocationSpec spec) {
  core::Fixture fixture;
  fixture.projects.push_back({kProject, {{std::string(kAllocation), std::move(spec)}}});
  return fixture;
}

TestWorld::TestWorld(core::Fixture fixture, core::WorldOptions options)
    : TestWorld(Unopened{}, std::move(options)) {
  Open(fixture);
}

TestWorld::TestWorld(Unopened, core::WorldOptions options) {
  const char* which = std::getenv("IMSEMU_TEST_STORE");
  if (which != nullptr && std::string_view(which) == "memory") {
    store = std::make_unique<store::MemoryWorldStore>();
  } else {
    auto opened = store::SqliteWorldStore::Open(":memory:");
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    store = *std::move(opened);
  }
  failing = std::make_unique<FailingWorldStore>(*store);
  world = std::make_unique<core::World>(*failing, clock, std::move(options));
}

void TestWorld::Open(const core::Fixture& fixture) {
  Status s = world->Open(fixture);
  EXPECT_TRUE(s.ok()) << s.message();
}

void TestWorld::Advance(Duration d) {
  clock.AdvanceBy(d);
  world->Reconcile();
}

std::vector<core::Payload> TestWorld::Payloads() { return world->Snapshot().payloads; }

std::vector<core::Payload> TestWorld::InState(core::PayloadState state) {
  std::vector<core::Payload> out;
  for (core::Payload& p : Payloads()) {
    if (p.state == state) out.push_back(std::move(p));
  }
  return out;
}

}  // namespace imsemu::test
