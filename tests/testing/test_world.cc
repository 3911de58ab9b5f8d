#include "tests/testing/test_world.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "emulator/store/memory_world_store.h"
#include "emulator/store/sqlite_world_store.h"
#include "emulator/store/write_behind_store.h"
#include "tests/testing/test_emulator.h"

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
  } else if (which != nullptr && std::string_view(which) == "write-behind") {
    static std::atomic<int> n{0};
    file = TempPath("world-" + std::to_string(n++) + ".db");
    auto opened = store::WriteBehindStore::Open(file);
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    store = *std::move(opened);
  } else {
    auto opened = store::SqliteWorldStore::Open(":memory:");
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    store = *std::move(opened);
  }
  failing = std::make_unique<FailingWorldStore>(*store);
  world = std::make_unique<core::World>(*failing, clock, std::move(options));
}

TestWorld::~TestWorld() {
  world.reset();
  failing.reset();
  store.reset();
  if (file.empty()) return;
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((file + suffix).c_str());
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
