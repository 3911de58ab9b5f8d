// An edit rolls out, over real HTTP (virtual clock): a change of what runs is
// a new revision, surged in before the old unreserved payloads go, while the
// old Reserved ones finish their match; any other change applies at once.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "tests/testing/test_emulator.h"
#include "tests/testing/test_world.h"

namespace imsemu {
namespace {
using test::kAllocationsPath;

using test::Client;
using test::Json;
using test::kProject;

// A payload as /state shows it: its state and the revision it runs.
struct Seen {
  std::string state;
  int revision = 0;
};

class RolloutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    emulator_ = test::StartEmulator(test::OneAllocation(test::TestSpec(1)));
    ASSERT_NE(emulator_, nullptr);
    client_ = std::make_unique<Client>(test::MainAddress(*emulator_));
    // Game servers that call ready themselves (here: the test, for them).
    auto r = client_->Post(kAllocationsPath, Json({{"annotations", {{"session_type", "ranked"}}},
                                                   {"buffer_size", 2},
                                                   {"auto_ready", false},
                                                   {"payload_spec", {{"env", {{"BUILD", "1"}}}}}})
                                                 .dump());
    ASSERT_EQ(r.status, 200) << r.raw;
    id_ = r.body["result"]["id"];
    ReadyAll();
  }

  Json Get() { return client_->Get(kAllocationsPath + "/" + id_).body["result"]; }
  // Its payloads by id, from /state.
  std::map<std::string, Seen> Payloads() {
    std::map<std::string, Seen> out;
    const test::Reply state = client_->Get("/emulator/v0/state");
    for (const Json& p : state.body["payloads"]) {
      if (p["allocation_id"] != id_) continue;
      out[p["id"]] = {p["status"]["state"], p["revision"]};
    }
    return out;
  }
  int Count(const std::string& state, int revision) {
    int n = 0;
    for (const auto& [id, seen] : Payloads()) n += seen.state == state && seen.revision == revision;
    return n;
  }
  int Ready() {
    int n = 0;
    for (const auto& [id, seen] : Payloads()) n += seen.state == "Ready";
    return n;
  }
  void MarkReady(const std::string& payload) {
    Client api(emulator_->PayloadApiOf(payload));
    ASSERT_EQ(api.Post("/api/v0/ready", "").status, 200);
  }
  // Marks Ready every Starting payload (of `revision`, or any), one by one.
  void ReadyAll(int revision = 0) {
    for (const auto& [id, seen] : Payloads()) {
      if (seen.state == "Starting" && (revision == 0 || seen.revision == revision)) MarkReady(id);
    }
  }
  std::string StartingOf(int revision) {
    for (const auto& [id, seen] : Payloads()) {
      if (seen.state == "Starting" && seen.revision == revision) return id;
    }
    return "";
  }
  Json Reserve() {
    auto r = client_->Post(kAllocationsPath + "/" + id_ + "/reservations", "");
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body["result"];
  }
  void Replace(const std::string& field, const Json& value) {
    Json spec = Get();
    spec[field] = value;
    auto r = client_->Put(kAllocationsPath + "/" + id_, spec.dump());
    ASSERT_EQ(r.status, 200) << r.raw;
  }
  std::vector<std::string> StatusChanges() { return test::AllocationStatusChanges(*client_, id_); }

  std::unique_ptr<EmulatorImpl> emulator_;
  std::unique_ptr<Client> client_;
  std::string id_;
};

TEST_F(RolloutTest, ANewBuildSurgesInAndTheOldReservedOneFinishesItsMatch) {
  const std::string old_match = Reserve()["id"];
  ReadyAll();  // the refill
  ASSERT_EQ(Count("Ready", 1), 2);

  Json env = Get()["payload_spec"];
  env["env"]["BUILD"] = "2";
  Replace("payload_spec", env);
  EXPECT_EQ(Get()["status"], "Updating");
  EXPECT_EQ(Get()["revision"], 2);
  EXPECT_EQ(Count("Starting", 2), 2) << "the new build's buffer starts first (surge)";
  EXPECT_EQ(Count("Ready", 1), 2) << "the old Ready ones stay until new ones are Ready";

  MarkReady(StartingOf(2));
  EXPECT_EQ(Count("Ready", 2), 1);
  EXPECT_EQ(Count("Ready", 1), 1) << "one old Ready one went as one new one was Ready";
  EXPECT_GE(Ready(), 2) << "the Ready count never drops under the buffer";
  EXPECT_EQ(Get()["status"], "Updating");

  // A reservation is given the new build while one of it is Ready, though
  // the old one is older.
  const Json reserved = Reserve();
  EXPECT_EQ(Payloads()[reserved["id"]].revision, 2);

  ReadyAll(2);
  EXPECT_EQ(Count("Ready", 1), 0) << "no unreserved payload of the old build is left";
  EXPECT_EQ(Count("Ready", 2), 2);
  EXPECT_EQ(Get()["status"], "Running");
  EXPECT_EQ(Payloads()[old_match].state, "Reserved") << "the old match was never touched";
  EXPECT_EQ(Payloads()[old_match].revision, 1);

  // The old match ends; its refill is the new build.
  ASSERT_EQ(client_->Post("/emulator/v0/payloads/" + old_match + "/exit", R"({"code": 0})").status,
            200);
  EXPECT_EQ(Count("Shutdown", 1), 1);
  EXPECT_EQ(StatusChanges(),
            (std::vector<std::string>{"New>Running", "Running>Updating", "Updating>Running"}));
  bool journalled = false;
  const test::Reply events = client_->Get("/emulator/v0/events?after=0&limit=1000");
  for (const Json& e : events.body["events"]) {
    journalled |=
        e["kind"] == "allocation.replaced" &&
        e["detail"].get<std::string>().rfind("revision 2: the payload_spec changed", 0) == 0;
  }
  EXPECT_TRUE(journalled) << "the journal names the revision";
}

TEST_F(RolloutTest, AChangeOfWhatDoesNotRunAppliesAtOnce) {
  Replace("buffer_size", 3);
  Replace("labels", Json({{"tier", "gold"}}));
  EXPECT_EQ(Get()["revision"], 1);
  EXPECT_EQ(Get()["status"], "Running");
  EXPECT_EQ(Count("Ready", 1), 2);
  EXPECT_EQ(Count("Starting", 1), 1) << "the larger buffer, of the same build";
  EXPECT_EQ(StatusChanges(), std::vector<std::string>{"New>Running"});
}

TEST_F(RolloutTest, OldPayloadsNotYetReadyGoAtOnce) {
  Reserve();  // its refill is Starting, of the old build
  ASSERT_EQ(Count("Starting", 1), 1);
  Json spec = Get()["payload_spec"];
  spec["args"] = {"--map", "docks"};
  Replace("payload_spec", spec);
  EXPECT_EQ(Count("Starting", 1), 0) << "it would start the old build";
  EXPECT_EQ(Count("Starting", 2), 2);
  EXPECT_EQ(Count("Ready", 1), 1);
}

TEST_F(RolloutTest, AtTheCeilingOneOldPayloadMakesRoomAtATime) {
  Replace("max_payloads", 2);
  Json spec = Get()["payload_spec"];
  spec["env"]["BUILD"] = "2";
  Replace("payload_spec", spec);
  EXPECT_EQ(Count("Ready", 1), 1) << "no room to surge: one old Ready one made room";
  EXPECT_EQ(Count("Starting", 2), 1);
  ReadyAll(2);
  EXPECT_EQ(Count("Ready", 1), 0);
  EXPECT_EQ(Count("Starting", 2), 1) << "then the next";
  ReadyAll(2);
  EXPECT_EQ(Count("Ready", 2), 2);
  EXPECT_EQ(Get()["status"], "Running");
}

// POST /emulator/v0/.../await-rollout: waits for a rollout to finish, moving
// the virtual clock through the new build's start-up.
TEST_F(RolloutTest, TheControlCallWaitsForARolloutToFinish) {
  Replace("auto_ready", true);
  Replace("auto_ready_delay_seconds", 5);
  Json spec = Get()["payload_spec"];
  spec["env"]["BUILD"] = "2";
  Replace("payload_spec", spec);
  ASSERT_EQ(Get()["status"], "Updating");
  const std::string await =
      "/emulator/v0/projects/" + std::string(kProject) + "/allocations/" + id_ + "/await-rollout";
  const test::Reply done = client_->Post(await, R"({"within": 60})");
  ASSERT_EQ(done.status, 200) << done.raw;
  EXPECT_EQ(done.body["result"]["status"], "Running");
  EXPECT_EQ(done.body["clock"]["now"], "2026-01-01T00:00:05Z") << "the new build's 5 s start-up";
  EXPECT_EQ(Count("Ready", 2), 2);
  const test::Reply again = client_->Post(await, "");
  EXPECT_EQ(again.status, 200) << "nothing to wait for: answered at once";
  EXPECT_EQ(again.body["clock"]["now"], "2026-01-01T00:00:05Z");
}

TEST_F(RolloutTest, TheControlCallSaysWhenARolloutDidNotFinishInTime) {
  Json spec = Get()["payload_spec"];
  spec["env"]["BUILD"] = "2";
  Replace("payload_spec", spec);  // its servers never call ready here
  const std::string await =
      "/emulator/v0/projects/" + std::string(kProject) + "/allocations/" + id_ + "/await-rollout";
  const test::Reply late = client_->Post(await, R"({"within": 0})");
  test::ExpectErrorShape(late, 409);
  EXPECT_NE(late.body["message"].get<std::string>().find("still Updating"), std::string::npos)
      << late.raw;
  test::ExpectErrorShape(client_->Post(await, R"({"within": -1})"), 400);
  test::ExpectErrorShape(client_->Post(await, R"({"wihtin": 1})"), 400);
  test::ExpectErrorShape(
      client_->Post(
          "/emulator/v0/projects/" + std::string(kProject) + "/allocations/nope/await-rollout", ""),
      404);
}

}  // namespace
}  // namespace imsemu
