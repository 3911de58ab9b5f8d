// The typed clients and the GoogleTest harness (ims_emulator/clients.h,
// ims_emulator/gtest.h), used the way a studio's tests use them.
#include <cstdlib>
#include <thread>

#include <httplib.h>

#include "ims_emulator/fixture.h"
#include "ims_emulator/gtest.h"

namespace imsemu {
namespace {

using imsemu_testing::HoldsSessions;
using imsemu_testing::IsOk;
using imsemu_testing::PayloadInState;
using imsemu_testing::SessionWithStatus;
using imsemu_testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class ClientsTest : public imsemu_testing::EmulatorTest {};

TEST_F(ClientsTest, AClientSeesTheStatusTheServerSetAfterTheCache) {
  auto session = session_manager().CreateSession("default", R"({"map":"dust"})");
  ASSERT_THAT(session, IsOk());
  EXPECT_EQ(session->address, "127.0.0.1");
  ASSERT_EQ(session->ports.size(), 1u);
  EXPECT_EQ(session->ports[0].name, "GamePort");

  PayloadClient server = payload(session->id);
  EXPECT_THAT(server.GetPayload(), PayloadInState("Reserved"));
  EXPECT_EQ(server.GetConfig().value(), std::optional<std::string>(R"({"map":"dust"})"));
  ASSERT_THAT(server.SetStatus({{"phase", "lobby"}}), IsOk());
  EXPECT_EQ(server.GetStatus().value(), (StringMap{{"phase", "lobby"}}));
  ASSERT_THAT(server.SetLabel("region", "eu"), IsOk());
  ASSERT_THAT(server.SetAnnotation("note", "any text"), IsOk());
  EXPECT_EQ(server.GetPayload()->labels.at("region"), "eu");

  EXPECT_THAT(session_manager().ListSessions("default"),
              HoldsSessions(ElementsAre(::testing::Not(SessionWithStatus("phase", "lobby")))));
  AdvancePastStatusCache();
  EXPECT_THAT(session_manager().ListSessions("default"),
              HoldsSessions(ElementsAre(SessionWithStatus("phase", "lobby"))));
}

TEST_F(ClientsTest, ErrorsCarryTheirCodeAndTheApisMessage) {
  auto unknown = session_manager().ListSessions("ranked");
  EXPECT_THAT(unknown, StatusIs(StatusCode::kNotFound));
  EXPECT_NE(unknown.status().message().find("(HTTP 404)"), std::string::npos);
  SessionManagerClient no_token(emulator().base_url(), "local-project", "Basic x");
  EXPECT_THAT(no_token.ListSessions("default"), StatusIs(StatusCode::kUnauthenticated));
  PayloadClient server = payload(emulator().PayloadIds().at(0));
  EXPECT_THAT(server.SetLabel("_bad", "x"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(server.GetConfig(), IsOk());  // no session: no config, not an error
  EXPECT_EQ(server.GetConfig().value(), std::nullopt);
  EXPECT_THAT(PayloadClient(emulator().base_url() + "/payloads/nope-nope").GetPayload(),
              StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(control().ForceState(emulator().PayloadIds().at(0), "Sleeping"),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(ClientsTest, NoAnswerIsUnavailable) {
  const std::string url = emulator().base_url();
  emulator().Stop();
  EXPECT_THAT(ControlClient(url).Reset(), StatusIs(StatusCode::kUnavailable));
}

TEST_F(ClientsTest, TheControlClientDrivesTheWorld) {
  const std::string id = emulator().PayloadIds().at(0);
  ASSERT_THAT(control().ForceState(id, "Error"), IsOk());
  EXPECT_THAT(payload(id).GetPayload(), PayloadInState("Error"));
  ASSERT_THAT(control().Reset(), IsOk());
  auto session = session_manager().CreateSession("default", "cfg");
  ASSERT_THAT(session, IsOk());
  EXPECT_EQ(control().SessionConfigOf(session->id).value(), std::optional<std::string>("cfg"));
  ASSERT_THAT(control().ExitPayload(session->id, 0), IsOk());
  EXPECT_THAT(payload(session->id).GetPayload(), PayloadInState("Shutdown"));
  ASSERT_THAT(control().AdvanceClock(std::chrono::seconds(2)), IsOk());
  auto journal = control().Journal();
  ASSERT_THAT(journal, IsOk());
  EXPECT_GT(journal->size(), 5u);
  EXPECT_NE(journal->back().find("payload."), std::string::npos) << journal->back();
}

// gMock on what the game server did: every successful call, in order, before
// its answer; refused calls are not reported.
TEST_F(ClientsTest, TheMockObserverSeesWhatTheGameServerDid) {
  using ::testing::_;
  using ::testing::Optional;
  using ::testing::Pair;
  using ::testing::UnorderedElementsAre;
  auto session = session_manager().CreateSession("default", "cfg");
  ASSERT_THAT(session, IsOk());
  const std::string id = session->id;
  {
    ::testing::InSequence in_order;
    EXPECT_CALL(game_servers(), OnPayloadRead(id, "Reserved"));
    EXPECT_CALL(game_servers(), OnConfigRead(id, Optional(std::string("cfg"))));
    EXPECT_CALL(game_servers(), OnStatusSet(id, UnorderedElementsAre(Pair("phase", "lobby"),
                                                                     Pair("players", "0"))));
    EXPECT_CALL(game_servers(), OnStatusRead(id));
    EXPECT_CALL(game_servers(), OnLabelSet(id, "region", "eu"));
    EXPECT_CALL(game_servers(), OnAnnotationSet(id, "note", "text"));
    EXPECT_CALL(game_servers(), OnReady(id));  // ready again: idempotent, and reported
  }
  EXPECT_CALL(game_servers(), OnLabelSet(_, "_bad", _)).Times(0);
  EXPECT_CALL(game_servers(), OnPayloadRead("nope-nope", _)).Times(0);

  PayloadClient server = payload(id);
  ASSERT_THAT(server.GetPayload(), IsOk());
  ASSERT_THAT(server.GetConfig(), IsOk());
  ASSERT_THAT(server.SetStatus({{"phase", "lobby"}, {"players", "0"}}), IsOk());
  ASSERT_THAT(server.GetStatus(), IsOk());
  ASSERT_THAT(server.SetLabel("region", "eu"), IsOk());
  ASSERT_THAT(server.SetAnnotation("note", "text"), IsOk());
  EXPECT_THAT(server.SetLabel("_bad", "x"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(PayloadClient(emulator().base_url() + "/payloads/nope-nope").GetPayload(),
              StatusIs(StatusCode::kNotFound));
  ASSERT_THAT(server.Ready(), IsOk());
}

// The shared-port address form, and ORCHESTRATION_PAYLOAD_API from the environment.
class SharedPortTest : public imsemu_testing::EmulatorTest {
 protected:
  EmulatorConfig Config() const override {
    EmulatorConfig config;
    config.shared_port = true;
    config.status_cache = "off";
    return config;
  }
};

TEST_F(SharedPortTest, APayloadClientFromTheEnvironmentUsesThePrefix) {
  const std::string id = emulator().PayloadIds().at(0);
  const std::string api = emulator().PayloadApiOf(id);
  ASSERT_NE(api.find("/payloads/" + id), std::string::npos) << api;
  ::setenv("ORCHESTRATION_PAYLOAD_API", api.c_str(), 1);
  auto server = PayloadClient::FromEnvironment();
  ::unsetenv("ORCHESTRATION_PAYLOAD_API");
  ASSERT_THAT(server, IsOk());
  auto info = server->GetPayload();
  ASSERT_THAT(info, PayloadInState("Ready"));
  EXPECT_EQ(info->id, id);
  EXPECT_THAT(PayloadClient::FromEnvironment(), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(session_manager().ListSessions("default"), HoldsSessions(IsEmpty()));
}

// A world as code: two projects, three allocations, each setting applied.
class BuiltWorldTest : public imsemu_testing::EmulatorTest {
 protected:
  EmulatorConfig Config() const override {
    EmulatorConfig config;
    config.fixture_json = FixtureBuilder()
                              .Project("studio")
                              .Allocation("ranked", "ranked")
                              .Buffer(2)
                              .Label("tier", "paid")
                              .Allocation("casual", "casual")
                              .Id("casual-id")
                              .MaxPayloads(1)
                              .Port("Game", 7000, "TCP")
                              .Port("Voice", 7001)
                              .AutoReserve(std::chrono::seconds(3), "auto-config")
                              .Project("other")
                              .Allocation("late", "late")
                              .AutoReady(false)
                              .Json();
    return config;
  }
};

TEST_F(BuiltWorldTest, EverySettingTakesEffect) {
  EXPECT_EQ(emulator().ProjectIds(), (std::vector<std::string>{"other", "studio"}));
  EXPECT_EQ(emulator().PayloadIds().size(), 4u);  // 2 ranked, 1 casual, 1 late
  size_t ready = 0, starting = 0;
  for (const std::string& id : emulator().PayloadIds()) {
    auto info = payload(id).GetPayload();
    ASSERT_THAT(info, IsOk());
    ready += info->state == "Ready" ? 1 : 0;
    starting += info->state == "Starting" ? 1 : 0;
    if (info->allocation_id == "casual-id") {
      ASSERT_EQ(info->ports.size(), 2u);
      EXPECT_EQ(info->ports[1].name, "Voice");
    }
  }
  EXPECT_EQ(ready, 3u);
  EXPECT_EQ(starting, 1u);  // not auto-ready: waits for its game server
  Advance(std::chrono::seconds(3));
  SessionManagerClient casual(emulator().base_url(), "studio");
  auto sessions = casual.ListSessions("casual");
  ASSERT_THAT(sessions, IsOk());
  ASSERT_EQ(sessions->size(), 1u);  // auto-reserved
  EXPECT_EQ(control().SessionConfigOf(sessions->at(0).id).value(),
            std::optional<std::string>("auto-config"));
}

TEST(FixtureBuilderTest, ABadSettingIsNamedWhenTheEmulatorStarts) {
  EmulatorConfig config;
  config.fixture_json = FixtureBuilder().Allocation("x", "x").Buffer(-1).Json();
  auto started = Emulator::Start(config);
  EXPECT_THAT(started, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_NE(started.status().message().find("buffer_size"), std::string::npos);
}

// A server that answers 200 with JSON of the wrong shape: the clients return
// what they can read and never throw.
TEST(OddAnswersTest, JsonOfTheWrongShapeDoesNotThrow) {
  for (const char* body :
       {"[]", "5", "null", R"({"result": 5, "sessions": {"a": 1}, "config": 7})",
        R"({"result": {"id": 1, "status": {"ports": [{"port": "x"}, 3]}, "metadata": []},
            "sessions": [1, {"ports": {"a": 1}, "session_status": {"k": 2}}]})",
        R"({"events": [5, {"seq": "x"}], "next_after": "x"})"}) {
    httplib::Server server;
    server.Get(".*", [body](const httplib::Request&, httplib::Response& res) {
      res.set_content(body, "application/json");
    });
    const int port = server.bind_to_any_port("127.0.0.1");
    std::thread serving([&] { server.listen_after_bind(); });
    const std::string address = "127.0.0.1:" + std::to_string(port);
    SCOPED_TRACE(body);
    {  // the clients close their connections before the server stops
      PayloadClient payload(address);
      EXPECT_THAT(payload.GetPayload(), IsOk());
      EXPECT_THAT(payload.GetConfig(), IsOk());
      EXPECT_THAT(payload.GetStatus(), IsOk());
      SessionManagerClient sessions("http://" + address, "p");
      EXPECT_THAT(sessions.ListSessions("t"), IsOk());
      ControlClient control("http://" + address);
      (void)control.Journal();  // OK or an error; never a throw
    }
    server.stop();
    serving.join();
  }
}

TEST(ScenarioFromATest, PassesOrReportsWhy) {
  EXPECT_TRUE(imsemu_testing::ScenarioPasses(IMSEMU_SOURCE_DIR "/scenarios/01-seed-flow.yaml"));
  ::testing::AssertionResult failed =
      imsemu_testing::ScenarioPasses(IMSEMU_SOURCE_DIR "/tests/scenario/data/malformed.yaml");
  EXPECT_FALSE(failed);
  EXPECT_NE(std::string(failed.message()).find("emulator.advanse"), std::string::npos);
}

}  // namespace
}  // namespace imsemu
