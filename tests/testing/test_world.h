// Test helpers for the core: a World over a store and a virtual clock, plus
// small fixtures. The store is SQLite's `:memory:`; with
// IMSEMU_TEST_STORE=memory the MemoryWorldStore, with
// IMSEMU_TEST_STORE=write-behind a WriteBehindStore on a file of its own
// (CTest runs the core's world suite all three ways: every store must make
// the same world).
#pragma once

#include <memory>
#include <string>

#include "emulator/clock/clock.h"
#include "emulator/core/world.h"
#include "tests/testing/failing_store.h"

namespace imsemu::test {

inline constexpr const char* kProject = "test-project";
inline constexpr const char* kAllocation = "alloc-1";
// The test project's Session Manager and orchestration paths.
inline const std::string kSessionsPath = std::string("/api/v0/projects/") + kProject + "/sessions";
inline const std::string kDefaultSessionsPath = kSessionsPath + "?session_type=default";
inline const std::string kAllocationsPath =
    std::string("/api/v0/projects/") + kProject + "/allocations";

// An allocation spec with a GamePort, serving session_type `session_type`.
core::AllocationSpec TestSpec(int buffer_size, bool auto_ready = true,
                              const std::string& session_type = "default");

// One project with one allocation (id kAllocation) of `spec`.
core::Fixture OneAllocation(core::AllocationSpec spec);

struct TestWorld {
  explicit TestWorld(core::Fixture fixture, core::WorldOptions options = {});
  // A world not opened yet: add observers first, then Open().
  struct Unopened {};
  explicit TestWorld(Unopened, core::WorldOptions options = {});
  ~TestWorld();
  void Open(const core::Fixture& fixture);

  // Moves the clock and applies what is due.
  void Advance(Duration d);
  std::vector<core::Payload> Payloads();
  std::vector<core::Payload> InState(core::PayloadState state);

  std::unique_ptr<core::WorldStore> store;
  std::string file;  // the write-behind store's, removed at the end
  // Between the world and `store`: passes everything through until told to fail.
  std::unique_ptr<FailingWorldStore> failing;
  VirtualClock clock{kDefaultVirtualStart};
  std::unique_ptr<core::World> world;
};

}  // namespace imsemu::test
