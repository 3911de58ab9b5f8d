// The EmulatorImpl facade: state files, fixtures and IMS's local mock drop-in.
#include "emulator/emulator.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "emulator/codec/allocation_json.h"
#include "emulator/codec/mock_config_json.h"
#include "emulator/http/http_server.h"
#include "emulator/util/rfc3339.h"
#include "tests/testing/test_emulator.h"
#include "tests/testing/test_world.h"

namespace imsemu {
namespace {

using test::Client;
using test::Json;

void RemoveDb(const std::filesystem::path& p) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p.string() + suffix);
}

TEST(EmulatorTest, StateFileResumesTheSameWorld) {
  const std::filesystem::path db = test::TempPath("resume.db");
  RemoveDb(db);
  EmulatorOptions options;
  options.state_path = db.string();
  std::string reserved_id;
  std::vector<std::string> ids;
  {
    auto e = test::StartEmulator(test::OneAllocation(test::TestSpec(2)), options);
    ASSERT_NE(e, nullptr);
    Client c(test::MainAddress(*e));
    auto r = c.Post("/api/v0/projects/test-project/sessions?session_type=default",
                    R"({"session_config":"cfg"})", "application/json",
                    {{"Authorization", "Bearer playfab/x"}});
    ASSERT_EQ(r.status, 200);
    reserved_id = r.body["id"];
    ASSERT_EQ(Client(e->PayloadApiOf(reserved_id))
                  .Post("/api/v0/session-manager/status", R"({"phase":"match"})")
                  .status,
              200);
    // One payload ends and is removed: its id must never come back.
    const std::string ended = e->world().Snapshot().payloads.back().id;
    ASSERT_TRUE(e->world().ExitPayload(ended, core::ProcessExit::Exited(0)).ok());
    ASSERT_TRUE(e->AdvanceClock(Duration(30000)).ok());
    ASSERT_EQ(e->world().GetPayload(ended).status().code(), StatusCode::kNotFound);
    for (const auto& p : e->world().Snapshot().payloads) ids.push_back(p.id);
    ids.push_back(ended);
    e->Stop();
  }
  auto e = test::StartEmulator(test::OneAllocation(test::TestSpec(5)), options);
  ASSERT_NE(e, nullptr);
  auto snapshot = e->world().Snapshot();
  std::vector<std::string> resumed;
  for (const auto& p : snapshot.payloads) resumed.push_back(p.id);
  resumed.push_back(ids.back());
  EXPECT_EQ(resumed, ids) << "the fixture is not reloaded over a saved world";
  EXPECT_EQ(snapshot.now, kDefaultVirtualStart + Duration(30000)) << "virtual time resumes";
  Client c(test::MainAddress(*e));
  auto list = c.Get("/api/v0/projects/test-project/sessions?session_type=default",
                    {{"Authorization", "Bearer playfab/x"}});
  ASSERT_EQ(list.body["sessions"].size(), 1u);
  EXPECT_EQ(list.body["sessions"][0]["session_status"]["phase"], "match");
  Client server(e->PayloadApiOf(reserved_id));
  EXPECT_EQ(server.Get("/api/v0/session-manager/config").body["config"], "cfg");
  // New ids never repeat the old ones, removed ones included.
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(c.Post("/api/v0/projects/test-project/sessions?session_type=default", "{}",
                     "application/json", {{"Authorization", "Bearer playfab/x"}})
                  .status,
              200);
  }
  const auto after = e->world().Snapshot().payloads;
  EXPECT_EQ(after.size(), 5u);
  for (size_t i = ids.size() - 1; i < after.size(); ++i) {
    EXPECT_EQ(std::count(ids.begin(), ids.end(), after[i].id), 0) << after[i].id;
  }
  e->Stop();
  RemoveDb(db);
}

TEST(EmulatorTest, APayloadApiOutageOutlivesARestart) {
  const std::filesystem::path db = test::TempPath("outage.db");
  RemoveDb(db);
  EmulatorOptions options;
  options.state_path = db.string();
  std::string id;
  {
    auto e = test::StartEmulator(test::OneAllocation(test::TestSpec(1)), options);
    ASSERT_NE(e, nullptr);
    id = test::FirstPayloadId(*e);
    ASSERT_EQ(Client(test::MainAddress(*e))
                  .Post("/emulator/v0/payloads/" + id + "/api-down", R"({"seconds": 5})")
                  .status,
              200);
    ASSERT_TRUE(e->AdvanceClock(Duration(2000)).ok());
    e->Stop();
  }
  auto e = test::StartEmulator(test::OneAllocation(test::TestSpec(1)), options);
  ASSERT_NE(e, nullptr);
  Client own(e->PayloadApiOf(id));
  Client shared(test::MainAddress(*e) + "/payloads/" + id);
  EXPECT_EQ(own.Get("/api/v0/payload").status, 0) << "still down after the restart";
  EXPECT_EQ(shared.Get("/api/v0/payload").status, 503);
  ASSERT_TRUE(e->AdvanceClock(Duration(2999)).ok());
  EXPECT_EQ(own.Get("/api/v0/payload").status, 0);
  ASSERT_TRUE(e->AdvanceClock(Duration(1)).ok());
  EXPECT_EQ(own.Get("/api/v0/payload").status, 200) << "up when the saved deadline passes";
  EXPECT_EQ(shared.Get("/api/v0/payload").status, 200);
  e->Stop();
  RemoveDb(db);
}

// A world left on a --state file at a virtual time, and that time.
Time SaveAVirtualWorld(const std::filesystem::path& db) {
  RemoveDb(db);
  EmulatorOptions options;
  options.state_path = db.string();
  options.virtual_clock = true;
  auto e = test::StartEmulator(test::OneAllocation(test::TestSpec(1)), options);
  EXPECT_TRUE(e->AdvanceClock(Duration(45000)).ok());
  const Time left_at = e->clock().Now();
  e->Stop();
  return left_at;
}

TEST(EmulatorTest, AResumedWorldKeepsTheClockItRanOn) {
  const std::filesystem::path db = test::TempPath("resume-clock.db");
  const Time left_at = SaveAVirtualWorld(db);
  EmulatorOptions options;
  options.state_path = db.string();
  options.virtual_clock = false;  // what the CLI passes when --clock is not given
  options.keep_saved_clock = true;
  auto e = test::StartEmulator(test::OneAllocation(test::TestSpec(1)), options);
  EXPECT_TRUE(e->clock().IsVirtual()) << "no jump of months to the real clock";
  EXPECT_EQ(e->clock().Now(), left_at);
  EXPECT_TRUE(e->resume_notes().empty());
  e->Stop();
  RemoveDb(db);
}

TEST(EmulatorTest, AResumeSaysWhatItCouldNotKeep) {
  const std::filesystem::path db = test::TempPath("resume-notes.db");
  const Time left_at = SaveAVirtualWorld(db);
  EmulatorOptions options;
  options.state_path = db.string();
  options.virtual_clock = false;  // --clock real, given
  options.fixture_given = true;   // --fixture F, given
  auto e = test::StartEmulator(test::OneAllocation(test::TestSpec(3)), options);
  EXPECT_FALSE(e->clock().IsVirtual()) << "the user's explicit choice wins";
  EXPECT_EQ(e->resume_notes(),
            (std::vector<std::string>{
                "the saved world ran on the virtual clock at " + FormatRfc3339(left_at) +
                    "; --clock real moves it to the present (its timers fall due now)",
                "--fixture is ignored: the state file holds a world (POST /emulator/v0/reset "
                "loads the fixture)"}));
  EXPECT_EQ(e->world().Snapshot().payloads.size(), 1u) << "the saved world, not the fixture";
  e.reset();  // closes the file
  // The last run's choice is what the next resume keeps.
  options.keep_saved_clock = true;
  options.virtual_clock = true;
  options.fixture_given = false;
  auto again = test::StartEmulator(test::OneAllocation(test::TestSpec(1)), options);
  EXPECT_FALSE(again->clock().IsVirtual());
  EXPECT_TRUE(again->resume_notes().empty());
  again->Stop();
  RemoveDb(db);
}

TEST(EmulatorTest, AResumedPayloadKeepsItsPayloadApiPortWhenFree) {
  const std::filesystem::path db = test::TempPath("resume-ports.db");
  RemoveDb(db);
  EmulatorOptions options;
  options.state_path = db.string();
  std::vector<std::string> ids, apis;
  {
    auto e = test::StartEmulator(test::OneAllocation(test::TestSpec(2)), options);
    for (const auto& p : e->world().Snapshot().payloads) {
      ids.push_back(p.id);
      apis.push_back(e->PayloadApiOf(p.id));
    }
  }
  ASSERT_EQ(ids.size(), 2u);
  // Another program takes the first payload's port meanwhile.
  const int taken_port = std::stoi(apis[0].substr(apis[0].find(':') + 1));
  http::RequestIds request_ids;
  http::AccessPolicy access;
  http::HttpServer squatter(request_ids, 1, access);
  ASSERT_TRUE(squatter.Bind("127.0.0.1", taken_port).ok());

  auto e = test::StartEmulator(test::OneAllocation(test::TestSpec(2)), options);
  EXPECT_EQ(e->PayloadApiOf(ids[1]), apis[1]) << "a running game server keeps its API";
  EXPECT_NE(e->PayloadApiOf(ids[0]), apis[0]);
  EXPECT_EQ(Client(e->PayloadApiOf(ids[0])).Get("/api/v0/payload").status, 200);
  const std::string moved = "payload " + ids[0] + "'s Payload Local API moved from port " +
                            std::to_string(taken_port) + " (taken) to " +
                            e->PayloadApiOf(ids[0]).substr(apis[0].find(':') + 1);
  EXPECT_EQ(e->resume_notes(), std::vector<std::string>{moved});
  e.reset();
  RemoveDb(db);
}

TEST(EmulatorTest, DefaultFixtureLoadsAndServesSessions) {
  auto fixture = codec::LoadFixtureFile(std::string(IMSEMU_SOURCE_DIR) + "/fixtures/default.json");
  ASSERT_TRUE(fixture.ok()) << fixture.status().message();
  auto e = test::StartEmulator(*fixture);
  auto payloads = e->world().Snapshot().payloads;
  ASSERT_EQ(payloads.size(), 2u);
  EXPECT_EQ(payloads[0].state, core::PayloadState::kReady);
  Client c(test::MainAddress(*e));
  EXPECT_EQ(c.Post("/api/v0/projects/local-project/sessions?session_type=default", "{}",
                   "application/json", {{"Authorization", "Bearer playfab/x"}})
                .status,
            200);
}

TEST(EmulatorTest, BadFixturesNameTheFileAndTheField) {
  const std::filesystem::path path = test::TempPath("bad-fixture.json");
  std::ofstream(path) << R"({"projects": [{"id": "p", "allocations": [{"buffer_size": "x"}]}]})";
  auto fixture = codec::LoadFixtureFile(path.string());
  EXPECT_EQ(fixture.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(fixture.status().message().find(path.string()), std::string::npos);
  EXPECT_NE(fixture.status().message().find("projects[0].allocations[0].buffer_size"),
            std::string::npos)
      << fixture.status().message();
  std::ofstream(path) << "{ not json";
  EXPECT_EQ(codec::LoadFixtureFile(path.string()).status().code(), StatusCode::kInvalidArgument);
  std::filesystem::remove(path);
  EXPECT_EQ(codec::LoadFixtureFile("/nonexistent.json").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(EmulatorTest, BusyPortIsAClearError) {
  auto first = test::StartEmulator(test::OneAllocation(test::TestSpec(0)));
  EmulatorOptions options;
  options.port = first->port();
  options.fixture = test::OneAllocation(test::TestSpec(0));
  auto second = EmulatorImpl::Start(options);
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find(std::to_string(first->port())), std::string::npos);
}

// --- IMS's local mock, drop-in ----------------------------------------------------

int FreePort() {
  auto probe = test::StartEmulator(test::OneAllocation(test::TestSpec(0)));
  const int port = probe->port();
  probe->Stop();
  return port;
}

std::unique_ptr<EmulatorImpl> StartMock(const Json& config, int port) {
  auto fixture = codec::MockFixtureFromJson(config);
  EXPECT_TRUE(fixture.ok()) << fixture.status().message();
  EmulatorOptions options;
  options.fixed_payload_port = port;
  return test::StartEmulator(*fixture, options);
}

TEST(DropInMockTest, BehavesLikeImsPayloadLocalApi) {
  const int port = FreePort();
  auto e = StartMock(Json::parse(R"({
      "payload_config": {"metadata": {"labels": {"region": "local"},
                                      "annotations": {"note": "from config"}}},
      "session_config": "{\"map\": \"dust\"}"})"),
                     port);
  ASSERT_NE(e, nullptr);
  Client server("127.0.0.1:" + std::to_string(port));
  auto p = server.Get("/api/v0/payload");
  ASSERT_EQ(p.status, 200);
  EXPECT_EQ(p.body["result"]["status"]["state"], "Starting");
  EXPECT_EQ(server.Get("/api/v0/session-manager/config").body, Json::object());
  ASSERT_TRUE(e->AdvanceClock(Duration(60000)).ok());
  EXPECT_EQ(server.Get("/api/v0/payload").body["result"]["status"]["state"], "Starting")
      << "nothing happens before the ready call";
  ASSERT_EQ(server.Post("/api/v0/ready", "").status, 200);
  EXPECT_EQ(server.Get("/api/v0/payload").body["result"]["status"]["state"], "Ready");
  ASSERT_TRUE(e->AdvanceClock(Duration(9999)).ok());
  EXPECT_EQ(server.Get("/api/v0/payload").body["result"]["status"]["state"], "Ready");
  ASSERT_TRUE(e->AdvanceClock(Duration(1)).ok());
  auto reserved = server.Get("/api/v0/payload").body["result"];
  EXPECT_EQ(reserved["status"]["state"], "Reserved");
  EXPECT_EQ(reserved["metadata"]["labels"]["region"], "local");
  EXPECT_EQ(reserved["metadata"]["annotations"]["note"], "from config");
  EXPECT_EQ(server.Get("/api/v0/session-manager/config").body["config"], "{\"map\": \"dust\"}");
  // Everything else of ours still works on the same port and the control port.
  ASSERT_EQ(server.Post("/api/v0/session-manager/status", R"({"phase":"lobby"})").status, 200);
  EXPECT_EQ(server.Put("/api/v0/metadata/label", R"({"key":"k","value":"v"})").status, 200);
  Client control(test::MainAddress(*e));
  EXPECT_EQ(control.Get("/emulator/v0/state").body["payloads"][0]["orchestration_payload_api"],
            "127.0.0.1:" + std::to_string(port));
}

TEST(DropInMockTest, SessionConfigMayLiveInsidePayloadConfig) {
  const int port = FreePort();
  auto e = StartMock(Json::parse(R"({"payload_config": {"session_config": "inner"}})"), port);
  Client server("127.0.0.1:" + std::to_string(port));
  ASSERT_EQ(server.Post("/api/v0/ready", "").status, 200);
  ASSERT_TRUE(e->AdvanceClock(Duration(10000)).ok());
  EXPECT_EQ(server.Get("/api/v0/session-manager/config").body["config"], "inner");
}

TEST(DropInMockTest, WithoutAConfigFileThePayloadIsReservedWithNoConfig) {
  const int port = FreePort();
  auto e = StartMock(Json(), port);
  Client server("127.0.0.1:" + std::to_string(port));
  ASSERT_EQ(server.Post("/api/v0/ready", "").status, 200);
  ASSERT_TRUE(e->AdvanceClock(Duration(10000)).ok());
  EXPECT_EQ(server.Get("/api/v0/payload").body["result"]["status"]["state"], "Reserved");
  EXPECT_EQ(server.Get("/api/v0/session-manager/config").body, Json::object());
}

TEST(DropInMockTest, ARestartedPayloadKeepsThePort) {
  const int port = FreePort();
  auto e = StartMock(Json(), port);
  Client server("127.0.0.1:" + std::to_string(port));
  const std::string first = server.Get("/api/v0/payload").body["result"]["id"];
  ASSERT_EQ(server.Post("/api/v0/ready", "").status, 200);
  ASSERT_TRUE(e->world().ExitPayload(first, core::ProcessExit::Exited(0)).ok());
  ASSERT_TRUE(e->AdvanceClock(Duration(1000)).ok());
  auto next = Client("127.0.0.1:" + std::to_string(port)).Get("/api/v0/payload");
  ASSERT_EQ(next.status, 200);
  EXPECT_NE(next.body["result"]["id"], first);
  EXPECT_EQ(next.body["result"]["status"]["state"], "Starting");
}

TEST(DropInMockTest, BadConfigIsRefused) {
  EXPECT_EQ(codec::MockFixtureFromJson(Json::parse(R"({"session_config": 3})")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(codec::MockFixtureFromJson(
                Json::parse(R"({"payload_config": {"metadata": {"labels": {"_x": "1"}}}})"))
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace imsemu
