// Snapshots over real HTTP: export, import (at start and into a running
// emulator) and named in-memory snapshots. A restored world is the captured
// one: the same state, clock, ids to come and journal.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "emulator/store/snapshot_file.h"
#include "tests/testing/test_emulator.h"
#include "tests/testing/test_world.h"

namespace imsemu {
namespace {
using test::kDefaultSessionsPath;
using test::kPlayerAuth;

using test::Client;
using test::ExpectErrorShape;
using test::Json;

core::Fixture TwoReady() { return test::OneAllocation(test::TestSpec(2)); }

// A world with some history: a session with a config and a status, a clean
// exit and its replacement, 7.5 s on the clock.
void PlayALittle(EmulatorImpl& e) {
  Client c(test::MainAddress(e));
  auto created = c.Post(kDefaultSessionsPath, R"({"session_config":"{\"map\":\"docks\"}"})",
                        "application/json", kPlayerAuth);
  ASSERT_EQ(created.status, 200) << created.raw;
  ASSERT_EQ(Client(e.PayloadApiOf(created.body["id"]))
                .Post("/api/v0/session-manager/status", R"({"phase":"lobby"})")
                .status,
            200);
  ASSERT_EQ(c.Post("/emulator/v0/clock/advance", R"({"seconds": 7.5})").status, 200);
  const std::string other = e.world().Snapshot().payloads.back().id;
  ASSERT_EQ(c.Post("/emulator/v0/payloads/" + other + "/exit", R"({"code": 0})").status, 200);
}

// What happens next in a world: a new session and the id of the payload
// the control loop creates to refill the buffer.
Json WhatHappensNext(EmulatorImpl& e) {
  Client c(test::MainAddress(e));
  Json out = c.Post(kDefaultSessionsPath, "{}", "application/json", kPlayerAuth).body;
  EXPECT_EQ(c.Post("/emulator/v0/clock/advance", R"({"seconds": 60})").status, 200);
  out["payloads"] = Json::array();
  for (const auto& p : e.world().Snapshot().payloads) out["payloads"].push_back(p.id);
  return out;
}

std::string WriteText(const std::string& name, const std::string& text) {
  const std::string path = test::TempPath(name);
  std::ofstream(path) << text;
  return path;
}

// The state without what belongs to the process (each payload's own
// Payload Local API port may move when a port is taken).
Json StateOf(EmulatorImpl& e) {
  Json state = Client(test::MainAddress(e)).Get("/emulator/v0/state").body;
  for (Json& p : state["payloads"]) p.erase("orchestration_payload_api");
  return state;
}

TEST(SnapshotApiTest, ExportThenImportIntoAFreshEmulatorGivesTheSameWorld) {
  auto first = test::StartEmulator(TwoReady());
  PlayALittle(*first);
  Client c(test::MainAddress(*first));
  auto exported = c.Get("/emulator/v0/export");
  ASSERT_EQ(exported.status, 200);
  EXPECT_EQ(exported.headers.find("Content-Disposition")->second,
            R"(attachment; filename="ims-emulator-snapshot.json")");
  EXPECT_EQ(exported.body["format"], "ims-emulator snapshot");
  EXPECT_EQ(exported.body["version"], store::kSnapshotVersion);
  const std::string file = WriteText("export.json", exported.raw);
  const Json state = Client(test::MainAddress(*first)).Get("/emulator/v0/state").body;
  const Json journal = c.Get("/emulator/v0/events").body["events"];
  const Json next = WhatHappensNext(*first);
  first.reset();  // its ports are free again

  EmulatorOptions options;
  options.import_path = file;
  auto second = test::StartEmulator(core::Fixture{}, options);
  ASSERT_NE(second, nullptr);
  Client d(test::MainAddress(*second));
  EXPECT_EQ(d.Get("/emulator/v0/state").body, state)
      << "the same world, clock and Payload Local API ports";
  Json events = d.Get("/emulator/v0/events").body["events"];
  ASSERT_EQ(events.size(), journal.size() + 1);
  EXPECT_EQ(events.back()["kind"], "world.restored");
  events.erase(events.size() - 1);
  EXPECT_EQ(events, journal) << "the journal comes along";
  EXPECT_EQ(WhatHappensNext(*second), next) << "and goes on with the same ids";
}

TEST(SnapshotApiTest, NamedSnapshotsRestoreTheWorldAndTheClock) {
  auto e = test::StartEmulator(TwoReady());
  Client c(test::MainAddress(*e));
  PlayALittle(*e);
  auto taken = c.Post("/emulator/v0/snapshots/before-the-match", "");
  ASSERT_EQ(taken.status, 200) << taken.raw;
  EXPECT_EQ(taken.body["name"], "before-the-match");
  const Json before = StateOf(*e);
  const Json next = WhatHappensNext(*e);
  EXPECT_NE(StateOf(*e), before);

  auto restored = c.Post("/emulator/v0/snapshots/before-the-match/restore", "");
  ASSERT_EQ(restored.status, 200) << restored.raw;
  EXPECT_EQ(restored.body["clock"]["now"], "2026-01-01T00:00:07.500Z") << "the clock went back";
  EXPECT_EQ(StateOf(*e), before);
  EXPECT_EQ(WhatHappensNext(*e), next) << "the same future, ids included";
  EXPECT_EQ(c.Get("/emulator/v0/snapshots").body,
            Json::parse(R"({"snapshots":[{"name":"before-the-match",
                                          "time":"2026-01-01T00:00:07.500Z"}]})"));

  auto unknown = c.Post("/emulator/v0/snapshots/nope/restore", "");
  ExpectErrorShape(unknown, 404);
  EXPECT_EQ(unknown.body["message"], "no snapshot named 'nope' (taken: before-the-match)");
  ExpectErrorShape(c.Post("/emulator/v0/snapshots/x", R"({"extra": 1})"), 400);
}

TEST(SnapshotApiTest, ImportIntoARunningEmulatorAndRefusals) {
  auto source = test::StartEmulator(TwoReady());
  PlayALittle(*source);
  const std::string good = WriteText("good.json", source->ExportWorld());
  const Json expected = StateOf(*source);

  auto e = test::StartEmulator(TwoReady());
  Client c(test::MainAddress(*e));
  const Json untouched = StateOf(*e);
  auto refuse = [&](const std::string& text, int status, const std::string& message) {
    const std::string path = WriteText("bad.json", text);
    auto r = c.Post("/emulator/v0/import", Json({{"file", path}}).dump());
    ExpectErrorShape(r, status);
    EXPECT_EQ(r.body["message"], path + ": " + message);
    EXPECT_EQ(StateOf(*e), untouched) << "a refused import changes nothing";
  };
  Json snapshot = Json::parse(source->ExportWorld());
  refuse("{}", 400,
         R"(not an ims-emulator snapshot (its "format" must be "ims-emulator snapshot"))");
  Json newer = snapshot;
  newer["version"] = 2;
  refuse(newer.dump(), 409,
         "the snapshot was written by a newer ims-emulator (format version 2; this one reads up "
         "to 1): upgrade to import it");
  Json broken = snapshot;
  broken["payloads"][0] = 5;
  refuse(broken.dump(), 400, "payloads[0] is not a payload");
  Json orphan = snapshot;
  orphan["payloads"][0]["allocation_id"] = "gone";
  refuse(orphan.dump(), 400,
         "payload '" + orphan["payloads"][0]["id"].get<std::string>() +
             "' names allocation 'gone', which is not in allocations[]");
  Json wrong_type = snapshot;
  wrong_type["counters"]["next_seq"] = "one";
  refuse(wrong_type.dump(), 400,
         "counters.next_seq must be a non-negative integer that fits, got \"one\"");

  ExpectErrorShape(c.Post("/emulator/v0/import", R"({"file": "/nonexistent/x.json"})"), 404);
  ExpectErrorShape(c.Post("/emulator/v0/import", R"({})"), 400);
  ExpectErrorShape(c.Post("/emulator/v0/import", R"({"file": 1})"), 400);

  auto imported = c.Post("/emulator/v0/import", Json({{"file", good}}).dump());
  ASSERT_EQ(imported.status, 200) << imported.raw;
  EXPECT_EQ(StateOf(*e), expected);
}

TEST(SnapshotApiTest, FaultsTravelWithExportImportAndNamedSnapshots) {
  auto first = test::StartEmulator(TwoReady());
  Client c(test::MainAddress(*first));
  auto added =
      c.Post("/emulator/v0/faults",
             R"({"api": "session-manager", "status": 503, "times": 2, "message": "down"})");
  ASSERT_EQ(added.status, 200) << added.raw;
  auto delayed = c.Post("/emulator/v0/faults", R"({"api": "payload-local", "delay_ms": 5})");
  ASSERT_EQ(delayed.status, 200) << delayed.raw;
  const Json faults = c.Get("/emulator/v0/faults").body;
  ASSERT_EQ(faults["faults"].size(), 2u);
  const std::string file = WriteText("faults.json", first->ExportWorld());
  EXPECT_EQ(Json::parse(first->ExportWorld())["faults"].size(), 2u);

  // Named: a fault cleared after the snapshot comes back with it.
  ASSERT_EQ(c.Post("/emulator/v0/snapshots/with-faults", "").status, 200);
  ASSERT_EQ(c.Delete("/emulator/v0/faults").status, 200);
  ASSERT_EQ(c.Get("/emulator/v0/faults").body["faults"], Json::array());
  ASSERT_EQ(c.Post("/emulator/v0/snapshots/with-faults/restore", "").status, 200);
  EXPECT_EQ(c.Get("/emulator/v0/faults").body, faults);
  first.reset();

  EmulatorOptions options;
  options.import_path = file;
  auto second = test::StartEmulator(core::Fixture{}, options);
  ASSERT_NE(second, nullptr);
  Client d(test::MainAddress(*second));
  EXPECT_EQ(d.Get("/emulator/v0/faults").body, faults) << "the same faults, ids and counts";
  // And they fire: the Session Manager answers 503 twice, then serves.
  EXPECT_EQ(d.Post(kDefaultSessionsPath, "{}", "application/json", kPlayerAuth).status, 503);
  EXPECT_EQ(d.Post(kDefaultSessionsPath, "{}", "application/json", kPlayerAuth).status, 503);
  EXPECT_EQ(d.Post(kDefaultSessionsPath, "{}", "application/json", kPlayerAuth).status, 200);
  // Added after the import, a fault takes the next id.
  EXPECT_EQ(d.Post("/emulator/v0/faults", R"({"status": 500})").body["result"]["id"], 3);
}

TEST(SnapshotApiTest, AFileWithABadFaultIsRefusedAndChangesNothing) {
  auto source = test::StartEmulator(TwoReady());
  Json snapshot = Json::parse(source->ExportWorld());
  auto e = test::StartEmulator(TwoReady());
  Client c(test::MainAddress(*e));
  ASSERT_EQ(c.Post("/emulator/v0/faults", R"({"status": 500})").status, 200);
  const Json before = c.Get("/emulator/v0/faults").body;
  const Json state = StateOf(*e);
  snapshot["faults"] = Json::parse(R"([{"id": 1, "spec": {"api": "control", "status": 500},
                                        "times_left": -1, "matched": 0, "fired": 0}])");
  const std::string path = WriteText("bad-fault.json", snapshot.dump());
  auto r = c.Post("/emulator/v0/import", Json({{"file", path}}).dump());
  ExpectErrorShape(r, 400);
  EXPECT_EQ(r.body["message"],
            path +
                ": faults[0].spec: api must be one of any, payload-local, session-manager, "
                "orchestration; got 'control' (the control API cannot be faulted)");
  EXPECT_EQ(c.Get("/emulator/v0/faults").body, before);
  EXPECT_EQ(StateOf(*e), state);
  snapshot["faults"] = Json::parse(R"([{"id": 1, "spec": {"status": 500}, "times_left": "x"}])");
  const std::string typo = WriteText("typo-fault.json", snapshot.dump());
  r = c.Post("/emulator/v0/import", Json({{"file", typo}}).dump());
  ExpectErrorShape(r, 400);
  EXPECT_NE(r.body["message"].get<std::string>().find("faults[0]: times_left"), std::string::npos)
      << r.body["message"];
}

TEST(SnapshotApiTest, ImportingOntoAStateFileThatHoldsAWorldIsRefused) {
  auto source = test::StartEmulator(TwoReady());
  const std::string file = WriteText("import.json", source->ExportWorld());
  EmulatorOptions options;
  options.state_path = test::TempPath("held.db");
  { ASSERT_NE(test::StartEmulator(TwoReady(), options), nullptr); }
  options.import_path = file;
  auto refused = EmulatorImpl::Start(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("already holds a world"), std::string::npos)
      << refused.status().message();
}

TEST(SnapshotFileTest, WritesAtomicallyOverThePreviousFile) {
  const std::string path = test::TempPath("atomic.json");
  ASSERT_TRUE(store::WriteFileAtomically(path, "old").ok());
  ASSERT_TRUE(store::WriteFileAtomically(path, "new contents").ok());
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "new contents");
  Status s = store::WriteFileAtomically("/nonexistent-folder/x.json", "x");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot write '/nonexistent-folder/x.json'"), std::string::npos)
      << s.message();
  const std::string a_folder = test::TempPath("a-folder");
  std::filesystem::create_directories(a_folder);
  const Status folder = store::WriteFileAtomically(a_folder, "x");
  EXPECT_NE(folder.message().find("it is a folder"), std::string::npos) << folder.message();
}

// What is not a regular file (--json /dev/null, /dev/stdout, a pipe) is
// written into, never replaced: a rename over /dev/null as root replaced the
// machine's /dev/null with a file. A FIFO stands in for the device.
TEST(SnapshotFileTest, WritesIntoADeviceOrPipeInPlace) {
  const std::string fifo = test::TempPath("report.fifo");
  std::filesystem::remove(fifo);
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0) << std::strerror(errno);
  const int reader = open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(reader, 0);
  ASSERT_TRUE(store::WriteFileAtomically(fifo, "{\"results\": []}\n").ok());
  char buffer[64] = {};
  const ssize_t got = read(reader, buffer, sizeof buffer - 1);
  close(reader);
  EXPECT_EQ(std::string(buffer, got > 0 ? static_cast<size_t>(got) : 0), "{\"results\": []}\n");
  struct stat after {};
  ASSERT_EQ(stat(fifo.c_str(), &after), 0);
  EXPECT_TRUE(S_ISFIFO(after.st_mode)) << "replaced by a regular file";
  std::filesystem::remove(fifo);
}

}  // namespace
}  // namespace imsemu
