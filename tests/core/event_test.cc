#include "emulator/core/event.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "emulator/core/payload.h"

namespace imsemu::core {
namespace {

TEST(EventTest, EveryNameRoundTripsAndIsDistinct) {
  std::set<std::string> kinds;
  for (int i = 0; i <= static_cast<int>(EventKind::kWorldReset); ++i) {
    const auto kind = static_cast<EventKind>(i);
    kinds.insert(EventKindName(kind));
    EXPECT_EQ(ParseEventKind(EventKindName(kind)), kind) << EventKindName(kind);
  }
  EXPECT_EQ(kinds.size(), static_cast<size_t>(EventKind::kWorldReset) + 1);
  EXPECT_EQ(kinds.count("unknown"), 0u);
  for (int i = 0; i <= static_cast<int>(Actor::kEmulator); ++i) {
    const auto actor = static_cast<Actor>(i);
    EXPECT_EQ(ParseActor(ActorName(actor)), actor) << ActorName(actor);
  }
  for (EventLevel l : {EventLevel::kDebug, EventLevel::kInfo, EventLevel::kWarning}) {
    EXPECT_EQ(ParseEventLevel(EventLevelName(l)), l);
  }
  EXPECT_EQ(ParseActor("Game-Server"), std::nullopt);
  EXPECT_EQ(std::string(ActorName(Actor::kSessionManager)), "session-manager");
  EXPECT_EQ(std::string(EventKindName(EventKind::kSessionStatusNull)), "session.status.null");
}

TEST(EventTest, APayloadEventNamesItsProjectAndAllocation) {
  Payload p;
  p.id = "abcde-fghij";
  p.project_id = "proj";
  p.allocation_id = "alloc";
  const Event e = Event::Of(p, EventKind::kPayloadLabel, Actor::kGameServer, kDefaultVirtualStart);
  EXPECT_EQ(e.payload_id, "abcde-fghij");
  EXPECT_EQ(e.project_id, "proj");
  EXPECT_EQ(e.allocation_id, "alloc");
  EXPECT_EQ(e.level, EventLevel::kInfo);
  EXPECT_EQ(e.time, kDefaultVirtualStart);
}

}  // namespace
}  // namespace imsemu::core
