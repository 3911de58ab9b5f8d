// The control API (/emulator/v0) over real HTTP.
#include <algorithm>

#include <gtest/gtest.h>

#include <map>
#include <set>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "emulator/util/api_routes.h"
#include "tests/testing/test_emulator.h"
#include "tests/testing/test_world.h"

namespace imsemu {
namespace {

using test::Client;
using test::ExpectErrorShape;
using test::Json;

class ControlApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    emulator_ = test::StartEmulator(test::OneAllocation(test::TestSpec(2)));
    ASSERT_NE(emulator_, nullptr);
    client_ = std::make_unique<Client>(test::MainAddress(*emulator_));
  }

  std::unique_ptr<EmulatorImpl> emulator_;
  std::unique_ptr<Client> client_;
};

TEST_F(ControlApiTest, Health) {
  auto r = client_->Get("/emulator/v0/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, Json({{"status", "ok"}}));
}

// The OpenAPI document describes exactly the calls the emulator mounts (the
// route table), no more and no fewer; tests/contract/ checks the answers.
TEST_F(ControlApiTest, TheOpenApiDocumentNamesEveryRouteAndNoOther) {
  auto r = client_->Get("/emulator/v0/openapi.json");
  ASSERT_EQ(r.status, 200) << r.raw.substr(0, 200);
  EXPECT_EQ(r.headers.find("Content-Type")->second, "application/json");
  EXPECT_EQ(r.body["openapi"], "3.0.3");
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& [path, item] : r.body["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      if (method == "servers" || method == "parameters") continue;
      std::string upper = method;
      std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
      documented.insert({upper, path});
      EXPECT_TRUE(operation.contains("operationId")) << method << " " << path;
    }
  }
  std::set<std::pair<std::string, std::string>> mounted;
  for (const routes::Route& route : routes::kAllRoutes) mounted.insert({route.method, route.path});
  EXPECT_EQ(documented, mounted);
}

// The dashboard's filters read these; the journal and the state use them.
TEST_F(ControlApiTest, NamesAreTheOnesTheJournalAndTheStateUse) {
  auto r = client_->Get("/emulator/v0/names");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["payload_states"], Json({"Unknown", "Creating", "Starting", "Ready", "Reserved",
                                            "Shutdown", "Error", "Unhealthy"}));
  EXPECT_EQ(r.body["allocation_statuses"], Json({"New", "Updating", "Running", "Draining",
                                                 "Stopped", "Deleted", "Error", "Disabled"}));
  const Json& kinds = r.body["event_kinds"];
  ASSERT_TRUE(kinds.is_array());
  EXPECT_EQ(kinds.size(), 20u);
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), Json("allocation.status")), kinds.end());
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), Json("payload.state")), kinds.end());
  EXPECT_NE(std::find(r.body["actors"].begin(), r.body["actors"].end(), Json("game-server")),
            r.body["actors"].end())
      << r.body["actors"];
  EXPECT_EQ(r.body["levels"].size(), 3u);
}

TEST_F(ControlApiTest, StateShowsTheWholeWorldWithEachPayloadsApiAddress) {
  auto r = client_->Get("/emulator/v0/state");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["clock"]["now"], "2026-01-01T00:00:00Z");
  EXPECT_EQ(r.body["clock"]["mode"], "virtual");
  EXPECT_EQ(r.body["projects"], Json::array({test::kProject}));
  EXPECT_EQ(r.body["allocations"].size(), 1u);
  ASSERT_EQ(r.body["payloads"].size(), 2u);
  const Json& p = r.body["payloads"][0];
  EXPECT_EQ(p["orchestration_payload_api"], emulator_->PayloadApiOf(p["id"]));
  EXPECT_EQ(Client(p["orchestration_payload_api"].get<std::string>())
                .Get("/api/v0/payload")
                .body["result"]["id"],
            p["id"]);
  EXPECT_EQ(r.body["sessions"], Json::array());
}

TEST_F(ControlApiTest, AdvancesTheVirtualClock) {
  auto r = client_->Post("/emulator/v0/clock/advance", R"({"seconds": 1.5})");
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["now"], "2026-01-01T00:00:01.500Z");
  EXPECT_EQ(client_->Get("/emulator/v0/clock").body["now"], "2026-01-01T00:00:01.500Z");
  ExpectErrorShape(client_->Post("/emulator/v0/clock/advance", R"({"seconds": -1})"), 400);
  ExpectErrorShape(client_->Post("/emulator/v0/clock/advance", R"({"seconds": "1"})"), 400);
  ExpectErrorShape(client_->Post("/emulator/v0/clock/advance", R"({})"), 400);
  ExpectErrorShape(client_->Post("/emulator/v0/clock/advance", R"({"seconds": )"), 400);
}

// The journal as a Chrome trace: a track per payload with its states as
// spans, and the status cache lag as the gap between "server set status"
// and "clients see status".
TEST_F(ControlApiTest, TimelineShowsStatesAndTheStatusCacheLag) {
  auto created = client_->Post("/api/v0/projects/test-project/sessions?session_type=default",
                               R"({"session_config":"cfg"})", "application/json",
                               {{"Authorization", "Bearer p/t"}});
  ASSERT_EQ(created.status, 200) << created.raw;
  const std::string id = created.body["id"];
  ASSERT_EQ(client_->Post("/emulator/v0/clock/advance", R"({"seconds": 3})").status, 200);
  ASSERT_EQ(Client(emulator_->PayloadApiOf(id))
                .Post("/api/v0/session-manager/status", R"({"phase":"lobby"})")
                .status,
            200);
  ASSERT_EQ(client_->Post("/emulator/v0/clock/advance", R"({"seconds": 20})").status, 200);

  auto r = client_->Get("/emulator/v0/timeline");
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["displayTimeUnit"], "ms");
  const Json& trace = r.body["traceEvents"];
  int tid = -1;
  for (const Json& e : trace) {
    if (e["ph"] == "M" && e["name"] == "thread_name" && e["args"]["name"] == "payload " + id) {
      tid = e["tid"];
    }
  }
  ASSERT_NE(tid, -1) << "a track named after the payload";
  std::map<std::string, Json> on_track;
  for (const Json& e : trace) {
    if (e.value("tid", -2) == tid && e["ph"] != "M") on_track[e["name"]] = e;
  }
  ASSERT_TRUE(on_track.count("Reserved")) << trace.dump();
  EXPECT_EQ(on_track["Reserved"]["ph"], "X");
  EXPECT_EQ(on_track["Reserved"]["ts"], 0) << "reserved at the start";
  EXPECT_EQ(on_track["Reserved"]["dur"], 23000000) << "and still Reserved now";
  EXPECT_EQ(on_track["server set status"]["ts"], 3000000);
  EXPECT_EQ(on_track["clients see status"]["ts"], 12000000)
      << "shown at the next 12 s refresh: the cache lag is the gap";
}

TEST(ControlApiRealClockTest, AdvanceIs409UnderTheRealClock) {
  EmulatorOptions options;
  options.virtual_clock = false;
  auto emulator = test::StartEmulator(test::OneAllocation(test::TestSpec(1)), options);
  Client c(test::MainAddress(*emulator));
  EXPECT_EQ(c.Get("/emulator/v0/clock").body["mode"], "real");
  ExpectErrorShape(c.Post("/emulator/v0/clock/advance", R"({"seconds": 1})"), 409);
}

TEST_F(ControlApiTest, ExitDrivesTheLifecycle) {
  const std::string id = test::FirstPayloadId(*emulator_);
  auto r = client_->Post("/emulator/v0/payloads/" + id + "/exit", R"({"code": 1})");
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["result"]["status"]["state"], "Unhealthy");
  EXPECT_EQ(r.body["result"]["status"]["details"], "game server exited (exit code 1)");
  ASSERT_EQ(client_->Post("/emulator/v0/clock/advance", R"({"seconds": 5})").status, 200);
  EXPECT_EQ(Client(test::MainAddress(*emulator_) + "/payloads/" + id)
                .Get("/api/v0/payload")
                .body["result"]["status"]["state"],
            "Shutdown");
  ExpectErrorShape(client_->Post("/emulator/v0/payloads/" + id + "/exit", R"({"code": 0})"), 409);
  ExpectErrorShape(client_->Post("/emulator/v0/payloads/" + id + "/exit", R"({})"), 400);
  ExpectErrorShape(client_->Post("/emulator/v0/payloads/" + id + "/exit", R"({"code": 1.5})"), 400);
  ExpectErrorShape(client_->Post("/emulator/v0/payloads/nope0-nope0/exit", R"({"code": 0})"), 404);
}

TEST_F(ControlApiTest, ForcesAState) {
  const std::string id = test::FirstPayloadId(*emulator_);
  auto r = client_->Put("/emulator/v0/payloads/" + id + "/state", R"({"state": "Reserved"})");
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["result"]["status"]["state"], "Reserved");
  EXPECT_TRUE(r.body["result"]["status"].contains("last_reserved"));
  auto bad = client_->Put("/emulator/v0/payloads/" + id + "/state", R"({"state": "Sleeping"})");
  ExpectErrorShape(bad, 400);
  EXPECT_EQ(bad.body["message"],
            "state must be one of Unknown, Creating, Starting, Ready, Reserved, Shutdown, Error, "
            "Unhealthy; got 'Sleeping'");
  ExpectErrorShape(client_->Put("/emulator/v0/payloads/nope0-nope0/state", R"({"state": "Ready"})"),
                   404);
}

TEST_F(ControlApiTest, AFaultOnAnUnknownApiListsTheApis) {
  auto bad = client_->Post("/emulator/v0/faults", R"({"api": "payload"})");
  ExpectErrorShape(bad, 400);
  EXPECT_EQ(bad.body["message"],
            "api must be one of any, payload-local, session-manager, orchestration; got 'payload'");
  EXPECT_EQ(client_->Get("/emulator/v0/faults").body["faults"], Json::array());
}

TEST_F(ControlApiTest, ResetReturnsToTheFixture) {
  ASSERT_EQ(client_->Post("/api/v0/projects/x/allocations", R"({"buffer_size": 1})").status, 200);
  const std::string before = test::FirstPayloadId(*emulator_);
  ASSERT_EQ(client_->Post("/emulator/v0/reset", "").status, 200);
  auto state = client_->Get("/emulator/v0/state").body;
  EXPECT_EQ(state["projects"], Json::array({test::kProject}));
  ASSERT_EQ(state["payloads"].size(), 2u);
  EXPECT_NE(state["payloads"][0]["id"], before);
}

TEST_F(ControlApiTest, JournalPagesThroughEveryChange) {
  const std::string id = test::FirstPayloadId(*emulator_);
  ASSERT_EQ(client_->Post("/emulator/v0/payloads/" + id + "/exit", R"({"code": 0})").status, 200);
  auto all = client_->Get("/emulator/v0/events");
  ASSERT_EQ(all.status, 200);
  const Json& events = all.body["events"];
  ASSERT_GE(events.size(), 6u);
  EXPECT_EQ(events[0]["seq"], 1);
  EXPECT_EQ(events[0]["kind"], "allocation.created");
  Json exit;
  for (const Json& e : events) {
    if (e.value("payload_id", "") == id && e.value("new_state", "") == "Shutdown") exit = e;
  }
  ASSERT_TRUE(exit.is_object()) << events.dump();
  EXPECT_EQ(exit["old_state"], "Ready");
  EXPECT_EQ(exit["actor"], "game-server");
  EXPECT_EQ(exit["kind"], "payload.state");
  auto page = client_->Get("/emulator/v0/events?after=2&limit=2");
  ASSERT_EQ(page.body["events"].size(), 2u);
  EXPECT_EQ(page.body["events"][0]["seq"], 3);
  EXPECT_EQ(page.body["next_after"], 4);
  ExpectErrorShape(client_->Get("/emulator/v0/events?after=x"), 400);
  ExpectErrorShape(client_->Get("/emulator/v0/events?after=-1"), 400);
}

TEST_F(ControlApiTest, EveryResponseHasADistinctRequestId) {
  auto a = client_->Get("/emulator/v0/nope");
  auto b = client_->Get("/emulator/v0/nope");
  ExpectErrorShape(a, 404);
  ExpectErrorShape(b, 404);
  EXPECT_NE(a.body["request_id"], b.body["request_id"]);
}

}  // namespace
}  // namespace imsemu

namespace imsemu {
namespace {

TEST_F(ControlApiTest, FaultsAnswerTheNextCallsThenStop) {
  auto added = client_->Post("/emulator/v0/faults",
                             R"({"api": "session-manager", "path": ".*/sessions", "status": 500,
                                 "times": 2, "message": "boom"})");
  ASSERT_EQ(added.status, 200) << added.raw;
  const std::string create = "/api/v0/projects/test-project/sessions?session_type=default";
  const httplib::Headers auth = {{"Authorization", "Bearer playfab/x"}};
  for (int i = 0; i < 2; ++i) {
    auto r = client_->Post(create, "{}", "application/json", auth);
    ExpectErrorShape(r, 500);
    EXPECT_EQ(r.body["message"], "boom");
  }
  EXPECT_EQ(client_->Post(create, "{}", "application/json", auth).status, 200);
  auto list = client_->Get("/emulator/v0/faults");
  ASSERT_EQ(list.body["faults"].size(), 1u);
  EXPECT_EQ(list.body["faults"][0]["fired"], 2);
  EXPECT_EQ(list.body["faults"][0]["times_left"], 0);
  EXPECT_EQ(client_->Get("/emulator/v0/health").status, 200) << "control API never faulted";
  EXPECT_EQ(client_->Delete("/emulator/v0/faults").status, 200);
  EXPECT_EQ(client_->Get("/emulator/v0/faults").body["faults"], Json::array());
}

TEST_F(ControlApiTest, RefusesBadFaults) {
  for (const char* body : {R"({"status": 200})", R"({"api": "control", "status": 500})",
                           R"({"api": "nope", "status": 500})", R"({"path": "(", "status": 500})",
                           R"({})", R"({"status": 500, "probability": 0})",
                           R"({"status": 500, "times": 0})", R"({"status": 500, "typo": 1})"}) {
    ExpectErrorShape(client_->Post("/emulator/v0/faults", body), 400);
  }
  EXPECT_EQ(client_->Get("/emulator/v0/faults").body["faults"], Json::array());
}

TEST_F(ControlApiTest, AFaultOnTheControlApiIsRefusedNamingTheApisThatMayBeFaulted) {
  auto r = client_->Post("/emulator/v0/faults", R"({"api": "control", "status": 500})");
  ExpectErrorShape(r, 400);
  EXPECT_EQ(r.body["message"],
            "api must be one of any, payload-local, session-manager, orchestration; got "
            "'control' (the control API cannot be faulted)");
}

TEST_F(ControlApiTest, AKnownPathAskedWithAnotherMethodIs405NamingTheAllowedOnes) {
  auto r = client_->Delete("/emulator/v0/clock");
  ExpectErrorShape(r, 405);
  EXPECT_EQ(r.headers.find("Allow")->second, "GET");
  EXPECT_EQ(r.body["message"], "method DELETE is not allowed on /emulator/v0/clock (allowed: GET)");
  EXPECT_EQ(client_->Get("/emulator/v0/reset").headers.find("Allow")->second, "POST");
  EXPECT_EQ(client_->Put("/api/v0/projects/p/sessions", "{}").headers.find("Allow")->second,
            "POST, GET");
  ExpectErrorShape(client_->Delete("/emulator/v0/nothing"), 404);
}

std::string FaultPattern(uint64_t seed) {
  EmulatorOptions options;
  options.world.seed = seed;
  auto e = test::StartEmulator(test::OneAllocation(test::TestSpec(1)), options);
  Client c(test::MainAddress(*e));
  EXPECT_EQ(c.Post("/emulator/v0/faults",
                   R"({"api": "payload-local", "status": 503, "probability": 0.5})")
                .status,
            200);
  const std::string id = test::FirstPayloadId(*e);
  std::string pattern;
  for (int i = 0; i < 32; ++i) {
    pattern += c.Get("/payloads/" + id + "/api/v0/payload").status == 503 ? 'x' : '.';
  }
  return pattern;
}

TEST(ControlApiFaultTest, ProbabilisticFaultsReplayWithTheSeed) {
  const std::string a = FaultPattern(7);
  EXPECT_EQ(a, FaultPattern(7));
  EXPECT_NE(a.find('x'), std::string::npos);
  EXPECT_NE(a.find('.'), std::string::npos);
  EXPECT_NE(a, FaultPattern(8));
}

TEST_F(ControlApiTest, PayloadApiComesUpLate) {
  const std::string id = test::FirstPayloadId(*emulator_);
  const std::string own = emulator_->PayloadApiOf(id);
  auto down = client_->Post("/emulator/v0/payloads/" + id + "/api-down", R"({"seconds": 5})");
  ASSERT_EQ(down.status, 200) << down.raw;
  EXPECT_EQ(emulator_->PayloadApiOf(id), own) << "the address does not change";
  EXPECT_EQ(Client(own).Get("/api/v0/payload").status, 0) << "nothing listens";
  {
    // ...and no other program takes its port meanwhile (a test beside it,
    // an outgoing connection's ephemeral port): it is held, bound, not listening.
    const int other = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(std::stoi(own.substr(own.rfind(':') + 1))));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    EXPECT_NE(bind(other, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0)
        << "the port of a payload whose API is down could be taken";
    close(other);
  }
  Client shared(test::MainAddress(*emulator_) + "/payloads/" + id);
  ExpectErrorShape(shared.Get("/api/v0/payload"), 503);
  EXPECT_EQ(client_->Get("/emulator/v0/state").body["payloads"][0]["api_down_until"],
            "2026-01-01T00:00:05Z");
  ASSERT_EQ(client_->Post("/emulator/v0/clock/advance", R"({"seconds": 4.999})").status, 200);
  EXPECT_EQ(Client(own).Get("/api/v0/payload").status, 0);
  ASSERT_EQ(client_->Post("/emulator/v0/clock/advance", R"({"seconds": 0.001})").status, 200);
  EXPECT_EQ(Client(own).Get("/api/v0/payload").status, 200);
  EXPECT_EQ(shared.Get("/api/v0/payload").status, 200);
  ExpectErrorShape(client_->Post("/emulator/v0/payloads/nope0-nope0/api-down", R"({"seconds": 5})"),
                   404);
  ExpectErrorShape(client_->Post("/emulator/v0/payloads/" + id + "/api-down", R"({})"), 400);
}

}  // namespace
}  // namespace imsemu
