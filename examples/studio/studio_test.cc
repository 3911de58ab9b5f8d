// A studio's tests: its game client creates a session, its game server reads
// the config and sets a status, and the client sees the status once the
// Session Manager's cache has caught up, all in-process on the virtual clock.
#include <ims_emulator/fixture.h>
#include <ims_emulator/gtest.h>

namespace {

using imsemu::testing::HoldsSessions;
using imsemu::testing::IsOk;
using imsemu::testing::PayloadInState;
using imsemu::testing::SessionWithStatus;
using ::testing::ElementsAre;

class RankedMatchTest : public imsemu::testing::EmulatorTest {
 protected:
  imsemu::EmulatorConfig Config() const override {
    imsemu::EmulatorConfig config;
    config.fixture_json =
        imsemu::FixtureBuilder().Project("studio").Allocation("ranked", "ranked").Buffer(2).Json();
    return config;
  }
};

TEST_F(RankedMatchTest, TheClientSeesTheStatusTheServerSet) {
  auto session = session_manager().CreateSession("ranked", R"({"map": "dust"})");
  ASSERT_THAT(session, IsOk());
  imsemu::PayloadClient server = payload(session->id);
  EXPECT_THAT(server.GetPayload(), PayloadInState("Reserved"));
  EXPECT_EQ(server.GetConfig().value(), R"({"map": "dust"})");
  ASSERT_THAT(server.SetStatus({{"phase", "lobby"}}), IsOk());
  AdvancePastStatusCache();
  EXPECT_THAT(session_manager().ListSessions("ranked"),
              HoldsSessions(ElementsAre(SessionWithStatus("phase", "lobby"))));
}

TEST(StudioTest, ABadFixtureSaysWhatIsWrong) {
  imsemu::EmulatorConfig config;
  config.fixture_json = R"({"projects": [{"id": "p", "allocations": [{"buffer_size": -1}]}]})";
  auto started = imsemu::Emulator::Start(config);
  EXPECT_THAT(started, imsemu::testing::StatusIs(imsemu::StatusCode::kInvalidArgument));
  EXPECT_NE(started.status().message().find("buffer_size"), std::string::npos);
}

}  // namespace
