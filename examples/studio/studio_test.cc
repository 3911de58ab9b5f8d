// A studio's tests: its game client creates a session, its game server reads
// the config and sets a status, and the client sees the status once the
// Session Manager's cache has caught up, all in-process on the virtual clock.
// Then the studio's own game server logic, watched with gMock.
#include <ims_emulator/fixture.h>
#include <ims_emulator/gtest.h>

#include "toy_game_server.h"

namespace {

using imsemu_testing::HoldsSessions;
using imsemu_testing::IsOk;
using imsemu_testing::PayloadInState;
using imsemu_testing::SessionWithStatus;
using ::testing::_;
using ::testing::ElementsAre;
using ::testing::Optional;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

class RankedMatchTest : public imsemu_testing::EmulatorTest {
 protected:
  imsemu::EmulatorConfig Config() const override {
    imsemu::EmulatorConfig config;
    config.fixture_json =
        imsemu::FixtureBuilder().Project("studio").Allocation("ranked", "ranked").Buffer(1).Json();
    return config;
  }
};

TEST_F(RankedMatchTest, TheClientSeesTheStatusTheServerSet) {
  auto session = session_manager().CreateSession("ranked", R"({"map": "dust"})");
  ASSERT_THAT(session, IsOk());
  imsemu::PayloadClient server = payload(session->id);
  EXPECT_THAT(server.GetPayload(), PayloadInState("Reserved"));
  EXPECT_THAT(server.GetConfig(),
              imsemu_testing::IsOkAndHolds(Optional(std::string(R"({"map": "dust"})"))));
  ASSERT_THAT(server.SetStatus({{"phase", "lobby"}}), IsOk());
  AdvancePastStatusCache();
  EXPECT_THAT(session_manager().ListSessions("ranked"),
              HoldsSessions(ElementsAre(SessionWithStatus("phase", "lobby"))));
}

TEST_F(RankedMatchTest, OurServerReadsTheConfigOnlyOnceReserved) {
  const std::string id = emulator().PayloadIds().front();  // the one Ready payload
  {
    ::testing::InSequence in_order;
    EXPECT_CALL(game_servers(), OnPayloadRead(id, "Ready"));
    EXPECT_CALL(game_servers(), OnPayloadRead(id, "Reserved"));
    EXPECT_CALL(game_servers(), OnConfigRead(id, Optional(std::string("dust"))));
    EXPECT_CALL(game_servers(),
                OnStatusSet(id, UnorderedElementsAre(Pair("phase", "lobby"), Pair("map", "dust"))));
  }
  EXPECT_CALL(game_servers(), OnStatusRead(_)).Times(0);

  studio::ToyGameServer server(payload(id));
  ASSERT_THAT(server.Poll(), IsOk());
  EXPECT_FALSE(server.in_match());
  auto session = session_manager().CreateSession("ranked", "dust");
  ASSERT_THAT(session, IsOk());
  ASSERT_EQ(session->id, id);
  ASSERT_THAT(server.Poll(), IsOk());
  EXPECT_TRUE(server.in_match());
  ASSERT_THAT(server.Poll(), IsOk());  // in a match: no more calls
  EXPECT_EQ(server.map(), "dust");
}

TEST(StudioTest, ABadFixtureSaysWhatIsWrong) {
  imsemu::EmulatorConfig config;
  config.fixture_json = R"({"projects": [{"id": "p", "allocations": [{"buffer_size": -1}]}]})";
  auto started = imsemu::Emulator::Start(config);
  EXPECT_THAT(started, imsemu_testing::StatusIs(imsemu::StatusCode::kInvalidArgument));
  EXPECT_NE(started.status().message().find("buffer_size"), std::string::npos);
}

}  // namespace
