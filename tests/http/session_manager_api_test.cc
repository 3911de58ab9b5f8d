// The Session Manager (spec §2) over real HTTP: create, list, errors, auth,
// the status cache on the virtual clock, and the whole seed flow.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "tests/testing/test_emulator.h"
#include "tests/testing/test_world.h"

namespace imsemu {
namespace {
using test::kDefaultSessionsPath;
using test::kSessionsPath;

using test::Client;
using test::ExpectErrorShape;
using test::Json;
using test::kProject;
using test::Reply;

const httplib::Headers kTicketAuth = {{"Authorization", "Bearer secret-token:playfab/ticket-1"}};

std::unique_ptr<EmulatorImpl> Start(core::Fixture fixture,
                                    core::StatusCacheMode mode = core::StatusCacheMode::kPeriodic,
                                    http::SessionAuth auth = {}) {
  EmulatorOptions options;
  options.world.status_cache.mode = mode;
  options.auth = std::move(auth);
  return test::StartEmulator(std::move(fixture), options);
}

Reply Create(Client& c, const std::string& body, const std::string& path = kDefaultSessionsPath) {
  return c.Post(path, body, "application/json", kTicketAuth);
}

Reply List(Client& c, const std::string& path = kDefaultSessionsPath) {
  return c.Get(path, kTicketAuth);
}

TEST(SessionManagerApiTest, CreateReservesAReadyPayloadAndAnswersItsAddress) {
  auto e = Start(test::OneAllocation(test::TestSpec(2)));
  Client c(test::MainAddress(*e));
  auto r = Create(c, R"({"session_config": "{\"map\":\"dust\"}"})");
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body.size(), 3u) << r.raw;
  const std::string id = r.body["id"];
  EXPECT_EQ(r.body["address"], "127.0.0.1");
  EXPECT_EQ(r.body["ports"][0]["name"], "GamePort");
  auto p = e->world().GetPayload(id);
  EXPECT_EQ(p->state, core::PayloadState::kReserved);
  EXPECT_EQ(Client(e->PayloadApiOf(id)).Get("/api/v0/payload").body["result"]["status"]["state"],
            "Reserved");
  auto config = Client(e->PayloadApiOf(id)).Get("/api/v0/session-manager/config");
  EXPECT_EQ(config.body, Json({{"config", "{\"map\":\"dust\"}"}}));
}

TEST(SessionManagerApiTest, AcceptsEveryBodyFormRealClientsSend) {
  auto e = Start(test::OneAllocation(test::TestSpec(5)));
  Client c(test::MainAddress(*e));
  for (const char* body : {"{}", "null", "", R"({"session_config": null})"}) {
    auto r = Create(c, body);
    ASSERT_EQ(r.status, 200) << "body '" << body << "': " << r.raw;
    EXPECT_EQ(Client(e->PayloadApiOf(r.body["id"])).Get("/api/v0/session-manager/config").body,
              Json::object());
  }
}

TEST(SessionManagerApiTest, RefusesBadBodiesAndChangesNothing) {
  auto e = Start(test::OneAllocation(test::TestSpec(2)));
  Client c(test::MainAddress(*e));
  for (const char* body : {R"({"session_config": 5})", R"({"session_config": {"a": 1}})", R"([])",
                           R"({"session_config": )"}) {
    auto r = Create(c, body);
    ExpectErrorShape(r, 400);
  }
  auto r = Create(c, Json({{"session_config", std::string(256 * 1024 + 1, 'x')}}).dump());
  ExpectErrorShape(r, 400);
  EXPECT_NE(r.body["message"].get<std::string>().find("256 kB"), std::string::npos);
  EXPECT_EQ(List(c).body["sessions"], Json::array());
}

TEST(SessionManagerApiTest, ConfigArrivesByteForByteAndNeverInList) {
  auto e = Start(test::OneAllocation(test::TestSpec(1)));
  Client c(test::MainAddress(*e));
  const std::string config =
      "{\"n\": 1e999, \"name\": \"\\u00e9\xe2\x9c\x93 \\\"q\\\"\", \"pad\": \"" +
      std::string(200 * 1024, 'z') + "\"}";
  auto r = Create(c, Json({{"session_config", config}}).dump());
  ASSERT_EQ(r.status, 200) << r.raw.substr(0, 300);
  auto got = Client(e->PayloadApiOf(r.body["id"])).Get("/api/v0/session-manager/config");
  EXPECT_EQ(got.body["config"].get<std::string>(), config);
  auto inspected =
      c.Get("/emulator/v0/payloads/" + r.body["id"].get<std::string>() + "/session-config");
  EXPECT_EQ(inspected.body["config"].get<std::string>(), config);
  auto list = List(c);
  EXPECT_EQ(list.raw.find("zzzz"), std::string::npos);
  EXPECT_EQ(list.body["sessions"][0].size(), 4u);
}

TEST(SessionManagerApiTest, ErrorsFollowTheDocumentedCodes) {
  core::AllocationSpec spec = test::TestSpec(0);
  spec.min_payloads = 1;
  auto e = Start(test::OneAllocation(spec));
  Client c(test::MainAddress(*e));
  auto missing = Create(c, "{}", kSessionsPath);
  ExpectErrorShape(missing, 400);
  EXPECT_NE(missing.body["message"].get<std::string>().find("session_type"), std::string::npos);
  ExpectErrorShape(List(c, kSessionsPath + "?session_type="), 400);
  ExpectErrorShape(Create(c, "{}", "/api/v0/projects/nope/sessions?session_type=default"), 404);
  ExpectErrorShape(Create(c, "{}", kSessionsPath + "?session_type=ranked"), 404);
  ExpectErrorShape(List(c, kSessionsPath + "?session_type=ranked"), 404);
  ASSERT_EQ(Create(c, "{}").status, 200);
  auto none = Create(c, "{}");
  ExpectErrorShape(none, 500);
  EXPECT_NE(none.body["message"].get<std::string>().find("no Ready payload"), std::string::npos);
}

TEST(SessionManagerApiTest, AfterNoReadyPayloadTheBufferRefillsAndARetrySucceeds) {
  core::AllocationSpec spec = test::TestSpec(1);
  spec.auto_ready_delay = Duration(2000);
  auto e = Start(test::OneAllocation(spec));
  Client c(test::MainAddress(*e));
  ExpectErrorShape(Create(c, "{}"), 500);
  ASSERT_TRUE(e->AdvanceClock(Duration(2000)).ok());
  ASSERT_EQ(Create(c, "{}").status, 200);
  ExpectErrorShape(Create(c, "{}"), 500);
  ASSERT_TRUE(e->AdvanceClock(Duration(2000)).ok());
  EXPECT_EQ(Create(c, "{}").status, 200);
}

TEST(SessionManagerApiTest, AuthAcceptsBothTokenFormsInAnyMode) {
  auto e = Start(test::OneAllocation(test::TestSpec(1)));
  Client c(test::MainAddress(*e));
  for (const char* header : {"Bearer secret-token:playfab/abc", "Bearer playfab/abc",
                             "Bearer secret-token:accelbyte/x.y-z"}) {
    EXPECT_EQ(c.Get(kDefaultSessionsPath, {{"Authorization", header}}).status, 200) << header;
  }
  for (const char* header : {"", "Basic dXNlcjpwYXNz", "Bearer", "Bearer token-without-provider",
                             "Bearer secret-token:", "Bearer /abc", "Bearer playfab/"}) {
    httplib::Headers h;
    if (*header != '\0') h.emplace("Authorization", header);
    auto r = c.Get(kDefaultSessionsPath, h);
    ExpectErrorShape(r, 401);
    EXPECT_NE(r.body["message"].get<std::string>().find("Bearer"), std::string::npos) << header;
    ExpectErrorShape(c.Post(kDefaultSessionsPath, "{}", "application/json", h), 401);
  }
  EXPECT_TRUE(e->world().Snapshot().payloads.at(0).state == core::PayloadState::kReady);
}

TEST(SessionManagerApiTest, AuthOffAndTokenFile) {
  auto off = Start(test::OneAllocation(test::TestSpec(1)), core::StatusCacheMode::kPeriodic,
                   *http::SessionAuth::FromSpec("off"));
  EXPECT_EQ(Client(test::MainAddress(*off)).Get(kDefaultSessionsPath).status, 200);

  const std::filesystem::path path = test::TempPath("tokens") + ".txt";
  std::ofstream(path) << "# allowed\nplayfab/good\n\naccelbyte/also-good\n";
  auto auth = http::SessionAuth::FromSpec("tokens:" + path.string());
  ASSERT_TRUE(auth.ok()) << auth.status().message();
  auto e = Start(test::OneAllocation(test::TestSpec(1)), core::StatusCacheMode::kPeriodic, *auth);
  Client c(test::MainAddress(*e));
  EXPECT_EQ(
      c.Get(kDefaultSessionsPath, {{"Authorization", "Bearer secret-token:playfab/good"}}).status,
      200);
  EXPECT_EQ(c.Get(kDefaultSessionsPath, {{"Authorization", "Bearer accelbyte/also-good"}}).status,
            200);
  ExpectErrorShape(c.Get(kDefaultSessionsPath, {{"Authorization", "Bearer playfab/bad"}}), 401);
  std::ofstream(path) << "not a token\n";
  EXPECT_EQ(http::SessionAuth::FromSpec("tokens:" + path.string()).status().code(),
            StatusCode::kInvalidArgument);
  std::filesystem::remove(path);
  EXPECT_EQ(http::SessionAuth::FromSpec("tokens:/nonexistent/file").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(http::SessionAuth::FromSpec("maybe").status().code(), StatusCode::kInvalidArgument);
}

TEST(SessionManagerApiTest, TwoAllocationsWithOneSessionTypeAlwaysUseTheFirst) {
  core::Fixture fixture;
  fixture.projects.push_back(
      {kProject,
       {{std::string("first"), test::TestSpec(3)}, {std::string("second"), test::TestSpec(3)}}});
  auto e = Start(fixture);
  Client c(test::MainAddress(*e));
  for (int i = 0; i < 5; ++i) {
    auto r = Create(c, "{}");
    ASSERT_EQ(r.status, 200) << r.raw;
    EXPECT_EQ(e->world().GetPayload(r.body["id"])->allocation_id, "first");
  }
  bool warned = false;
  for (const auto& ev : e->world().Events(0, 10000)) {
    warned = warned || (ev.level == core::EventLevel::kWarning &&
                        ev.kind == core::EventKind::kSessionAmbiguousType);
  }
  EXPECT_TRUE(warned);
}

TEST(SessionManagerApiTest, ListShowsReservedPayloadsInReservationOrder) {
  auto e = Start(test::OneAllocation(test::TestSpec(3)), core::StatusCacheMode::kOff);
  Client c(test::MainAddress(*e));
  EXPECT_EQ(List(c).body, Json({{"sessions", Json::array()}}));
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(Create(c, "{}").body["id"]);
    ASSERT_TRUE(e->AdvanceClock(Duration(1000)).ok());
  }
  auto list = List(c);
  ASSERT_EQ(list.body["sessions"].size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const Json& s = list.body["sessions"][i];
    EXPECT_EQ(s["id"], ids[i]);
    EXPECT_EQ(s["session_status"], Json::object());
    EXPECT_TRUE(s["ports"].is_array());
    EXPECT_EQ(s["address"], "127.0.0.1");
  }
  EXPECT_EQ(c.Get("/emulator/v0/state").body["sessions"].size(), 3u);
}

TEST(SessionManagerApiTest, ThirtyTwoConcurrentClientsShareTenReadyPayloads) {
  core::AllocationSpec spec = test::TestSpec(0);
  spec.min_payloads = 10;
  auto e = Start(test::OneAllocation(spec));
  std::mutex mu;
  std::vector<std::string> ids;
  std::vector<int> failures;
  std::vector<std::thread> clients;
  for (int i = 0; i < 32; ++i) {
    clients.emplace_back([&] {
      Client c(test::MainAddress(*e));
      auto r = Create(c, "{}");
      std::lock_guard lock(mu);
      if (r.status == 200) {
        ids.push_back(r.body["id"]);
      } else {
        failures.push_back(r.status);
        EXPECT_NE(r.raw.find("no Ready payload"), std::string::npos) << r.raw;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ids.size(), 10u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 10u);
  EXPECT_EQ(failures, std::vector<int>(22, 500));
  int reservations = 0;
  for (const auto& ev : e->world().Events(0, 10000)) {
    reservations += ev.new_state == "Reserved" ? 1 : 0;
  }
  EXPECT_EQ(reservations, 10) << "no payload was ever reserved twice";
}

// --- The status cache ---------------------------------------------------------

struct CacheCase {
  core::StatusCacheMode mode;
  long long set_at_ms;        // when the game server sets the status
  long long invisible_at_ms;  // latest instant it must not show
  long long visible_at_ms;    // first instant it must show
};

class StatusCacheTest : public ::testing::TestWithParam<CacheCase> {};

TEST_P(StatusCacheTest, StatusShowsExactlyWhenTheModeSays) {
  const CacheCase& k = GetParam();
  auto e = Start(test::OneAllocation(test::TestSpec(1)), k.mode);
  Client c(test::MainAddress(*e));
  auto created = Create(c, "{}");
  ASSERT_EQ(created.status, 200);
  Client server(e->PayloadApiOf(created.body["id"]));
  ASSERT_TRUE(e->AdvanceClock(Duration(k.set_at_ms)).ok());
  ASSERT_EQ(server.Post("/api/v0/session-manager/status", R"({"phase":"lobby"})").status, 200);
  EXPECT_EQ(server.Get("/api/v0/session-manager/status").body["phase"], "lobby")
      << "the game server sees its own status at once";
  if (k.invisible_at_ms >= k.set_at_ms) {
    ASSERT_TRUE(e->AdvanceClock(Duration(k.invisible_at_ms - k.set_at_ms)).ok());
    EXPECT_EQ(List(c).body["sessions"][0]["session_status"], Json::object());
  }
  const long long now = std::max(k.invisible_at_ms, k.set_at_ms);
  ASSERT_TRUE(e->AdvanceClock(Duration(k.visible_at_ms - now)).ok());
  EXPECT_EQ(List(c).body["sessions"][0]["session_status"], Json({{"phase", "lobby"}}));
}

INSTANTIATE_TEST_SUITE_P(Modes, StatusCacheTest,
                         ::testing::Values(
                             // delay: exactly TTL after it was set.
                             CacheCase{core::StatusCacheMode::kDelay, 3000, 14999, 15000},
                             CacheCase{core::StatusCacheMode::kDelay, 0, 11999, 12000},
                             // periodic: at the next refresh (every 12 s from the start).
                             CacheCase{core::StatusCacheMode::kPeriodic, 3000, 11999, 12000},
                             CacheCase{core::StatusCacheMode::kPeriodic, 12000, 23999, 24000},
                             CacheCase{core::StatusCacheMode::kPeriodic, 11999, 11999, 12000},
                             // off: at once.
                             CacheCase{core::StatusCacheMode::kOff, 3000, -1, 3000}));

TEST(StatusCacheHttpTest, DelayModeShowsEachUpdateInTurn) {
  auto e = Start(test::OneAllocation(test::TestSpec(1)), core::StatusCacheMode::kDelay);
  Client c(test::MainAddress(*e));
  Client server(e->PayloadApiOf(Create(c, "{}").body["id"]));
  ASSERT_EQ(server.Post("/api/v0/session-manager/status", R"({"phase":"lobby"})").status, 200);
  ASSERT_TRUE(e->AdvanceClock(Duration(4000)).ok());
  ASSERT_EQ(server.Post("/api/v0/session-manager/status", R"({"phase":"match"})").status, 200);
  ASSERT_TRUE(e->AdvanceClock(Duration(8000)).ok());  // t=12
  EXPECT_EQ(List(c).body["sessions"][0]["session_status"]["phase"], "lobby");
  ASSERT_TRUE(e->AdvanceClock(Duration(3999)).ok());  // t=15.999
  EXPECT_EQ(List(c).body["sessions"][0]["session_status"]["phase"], "lobby");
  ASSERT_TRUE(e->AdvanceClock(Duration(1)).ok());  // t=16
  EXPECT_EQ(List(c).body["sessions"][0]["session_status"]["phase"], "match");
}

// --- The seed flow --------------------------------------------------------------

TEST(SeedFlowTest, ClientCreatesServerReadsConfigSetsStatusClientSeesItAfterTheLag) {
  auto e = Start(test::OneAllocation(test::TestSpec(1, /*auto_ready=*/false)));
  Client client(test::MainAddress(*e));
  // The game server starts, and calls ready.
  const std::string payload_id = test::FirstPayloadId(*e);
  Client server(e->PayloadApiOf(payload_id));
  EXPECT_EQ(server.Get("/api/v0/payload").body["result"]["status"]["state"], "Starting");
  ASSERT_EQ(server.Post("/api/v0/ready", "").status, 200);
  // The server polls until Reserved; meanwhile a client creates a session.
  EXPECT_EQ(server.Get("/api/v0/payload").body["result"]["status"]["state"], "Ready");
  ASSERT_TRUE(e->AdvanceClock(Duration(1000)).ok());
  auto created = Create(client, R"({"session_config": "{\"max_players\": 8}"})");
  ASSERT_EQ(created.status, 200) << created.raw;
  EXPECT_EQ(created.body["id"], payload_id);
  std::string state;
  for (int polls = 0; polls < 10 && state != "Reserved"; ++polls) {
    state = server.Get("/api/v0/payload").body["result"]["status"]["state"];
    if (state != "Reserved") {
      ASSERT_TRUE(e->AdvanceClock(Duration(1000)).ok());
    }
  }
  ASSERT_EQ(state, "Reserved");
  EXPECT_EQ(server.Get("/api/v0/session-manager/config").body["config"], "{\"max_players\": 8}");
  // The server sets its status; the client sees the old (empty) one first.
  ASSERT_EQ(server
                .Post("/api/v0/session-manager/status",
                      R"({"phase": "lobby", "players": "0", "max_players": "8"})")
                .status,
            200);
  auto before = List(client);
  ASSERT_EQ(before.body["sessions"].size(), 1u);
  EXPECT_EQ(before.body["sessions"][0]["id"], payload_id);
  EXPECT_EQ(before.body["sessions"][0]["session_status"], Json::object());
  ASSERT_TRUE(e->AdvanceClock(Duration(11000)).ok());  // t = 12 s: the next refresh
  auto after = List(client);
  EXPECT_EQ(after.body["sessions"][0]["session_status"],
            Json({{"phase", "lobby"}, {"players", "0"}, {"max_players", "8"}}));
}

}  // namespace
}  // namespace imsemu
