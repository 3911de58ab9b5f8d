// IMS's allocation status over real HTTP: every status and transition, as the
// orchestration API shows it and the journal records it (virtual clock).
#include <gtest/gtest.h>

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

class AllocationStatusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EmulatorOptions options;
    options.world.keep_deleted = Duration(60000);
    emulator_ = test::StartEmulator(test::OneAllocation(test::TestSpec(1)), std::move(options));
    ASSERT_NE(emulator_, nullptr);
    client_ = std::make_unique<Client>(test::MainAddress(*emulator_));
  }

  // Creates an allocation of `spec` (fields over the defaults); its id.
  std::string Create(Json spec) {
    spec["annotations"] = {{"session_type", "st-" + std::to_string(++created_)}};
    auto r = client_->Post(kAllocationsPath, spec.dump());
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body["result"].value("id", "");
  }
  Json Get(const std::string& id) {
    return client_->Get(kAllocationsPath + "/" + id).body["result"];
  }
  std::string StatusOf(const std::string& id) { return Get(id).value("status", "(none)"); }
  // Replaces `field` of the allocation's spec.
  void Set(const std::string& id, const std::string& field, const Json& value) {
    Json spec = Get(id);
    spec[field] = value;
    auto r = client_->Put(kAllocationsPath + "/" + id, spec.dump());
    ASSERT_EQ(r.status, 200) << r.raw;
  }
  std::vector<std::string> Payloads(const std::string& id) {
    std::vector<std::string> out;
    const test::Reply r = client_->Get(kAllocationsPath + "/" + id + "/payloads");
    for (const Json& p : r.body["results"]) out.push_back(p["id"]);
    return out;
  }
  void Ready(const std::string& payload) {
    Client api(emulator_->PayloadApiOf(payload));
    ASSERT_EQ(api.Post("/api/v0/ready", "").status, 200);
  }
  void Exit(const std::string& payload, int code) {
    auto r =
        client_->Post("/emulator/v0/payloads/" + payload + "/exit", Json({{"code", code}}).dump());
    ASSERT_EQ(r.status, 200) << r.raw;
  }
  void Advance(double seconds) {
    auto r = client_->Post("/emulator/v0/clock/advance", Json({{"seconds", seconds}}).dump());
    ASSERT_EQ(r.status, 200) << r.raw;
  }
  std::vector<std::string> Journalled(const std::string& id) {
    return test::AllocationStatusChanges(*client_, id);
  }

  std::unique_ptr<EmulatorImpl> emulator_;
  std::unique_ptr<Client> client_;
  int created_ = 0;
};

TEST_F(AllocationStatusTest, NewUntilAGameServerIsFirstReadyThenRunning) {
  const std::string id = Create({{"buffer_size", 1}, {"auto_ready", false}});
  EXPECT_EQ(StatusOf(id), "New");
  const std::vector<std::string> payloads = Payloads(id);
  ASSERT_EQ(payloads.size(), 1u);
  Ready(payloads[0]);
  EXPECT_EQ(StatusOf(id), "Running");
  EXPECT_EQ(Journalled(id), std::vector<std::string>{"New>Running"});
}

TEST_F(AllocationStatusTest, StoppedWithNothingToRunAndRunningOnceItHas) {
  const std::string id = Create({{"buffer_size", 0}, {"min_payloads", 0}});
  EXPECT_EQ(StatusOf(id), "Stopped");
  Set(id, "buffer_size", 1);
  EXPECT_EQ(StatusOf(id), "Running");
  Set(id, "buffer_size", 0);
  Set(id, "max_payloads", 0);
  EXPECT_EQ(StatusOf(id), "Stopped") << "scaled to nothing";
  EXPECT_EQ(Journalled(id),
            (std::vector<std::string>{"New>Stopped", "Stopped>Running", "Running>Stopped"}));
}

TEST_F(AllocationStatusTest, DisabledDrainsItsReservedPayloadsThenIsDisabledUntilEnabled) {
  const std::string id = Create({{"buffer_size", 2}});
  auto reserved = client_->Post(kAllocationsPath + "/" + id + "/reservations", "");
  ASSERT_EQ(reserved.status, 200);
  Set(id, "enabled", false);
  EXPECT_EQ(StatusOf(id), "Draining");
  EXPECT_EQ(Payloads(id).size(), 1u) << "the Reserved one finishes its match";
  auto refused = client_->Post(kAllocationsPath + "/" + id + "/reservations", "");
  EXPECT_EQ(refused.status, 412);
  EXPECT_NE(refused.body["message"].get<std::string>().find("is Draining"), std::string::npos)
      << refused.raw;
  Exit(reserved.body["result"]["id"], 0);
  Advance(5);  // shut down, then removed
  EXPECT_EQ(StatusOf(id), "Disabled");
  EXPECT_TRUE(Payloads(id).empty());
  Set(id, "enabled", true);
  EXPECT_EQ(StatusOf(id), "Running");
  EXPECT_EQ(Journalled(id), (std::vector<std::string>{"New>Running", "Running>Draining",
                                                      "Draining>Disabled", "Disabled>Running"}));

  // The timeline: a track for the allocation, a span for each status.
  const test::Reply timeline = client_->Get("/emulator/v0/timeline");
  ASSERT_EQ(timeline.status, 200);
  int tid = -1;
  for (const Json& e : timeline.body["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "thread_name" && e["args"]["name"] == "allocation " + id) {
      tid = e["tid"];
    }
  }
  ASSERT_NE(tid, -1) << "a track named after the allocation";
  std::vector<std::string> spans;
  for (const Json& e : timeline.body["traceEvents"]) {
    if (e.value("tid", -2) == tid && e["ph"] == "X") spans.push_back(e["name"]);
  }
  EXPECT_EQ(spans, (std::vector<std::string>{"New", "Running", "Draining", "Disabled", "Running"}));
}

TEST_F(AllocationStatusTest, DeletedIsListedForKeepDeletedThenGone) {
  const std::string id = Create({{"buffer_size", 1}});
  auto reserved = client_->Post(kAllocationsPath + "/" + id + "/reservations", "");
  ASSERT_EQ(reserved.status, 200);
  auto del = client_->Delete(kAllocationsPath + "/" + id);
  ASSERT_EQ(del.status, 200);
  EXPECT_EQ(del.body["result"]["status"], "Draining");
  Exit(reserved.body["result"]["id"], 0);
  Advance(5);
  const Json deleted = Get(id);
  EXPECT_EQ(deleted["status"], "Deleted");
  EXPECT_TRUE(deleted.contains("deleted")) << deleted;
  bool listed = false;
  const test::Reply list = client_->Get(kAllocationsPath);
  for (const Json& a : list.body["results"]) listed |= a["id"] == id;
  EXPECT_TRUE(listed) << "listed while kept: " << list.raw;
  auto put = client_->Put(kAllocationsPath + "/" + id, deleted.dump());
  EXPECT_EQ(put.status, 412) << "a Deleted allocation takes no new spec";
  Advance(55);  // keep_deleted is 60 s from the drain
  EXPECT_EQ(StatusOf(id), "Deleted");
  Advance(1);
  test::ExpectErrorShape(client_->Get(kAllocationsPath + "/" + id), 404);
  const test::Reply after = client_->Get(kAllocationsPath);
  for (const Json& a : after.body["results"]) EXPECT_NE(a["id"], id);
  bool removed = false;
  const test::Reply events = client_->Get("/emulator/v0/events?after=0&limit=1000");
  for (const Json& e : events.body["events"]) {
    removed |= e["kind"] == "allocation.removed" && e["allocation_id"] == id;
  }
  EXPECT_TRUE(removed) << "the journal says when it went";
  EXPECT_EQ(Journalled(id),
            (std::vector<std::string>{"New>Running", "Running>Draining", "Draining>Deleted"}));
}

TEST_F(AllocationStatusTest, ErrorWhenGameServersKeepFailingToStartAndRunningWhenOneIsReady) {
  const std::string id = Create({{"buffer_size", 1}, {"auto_ready", false}});
  for (int failure = 1; failure <= 3; ++failure) {
    EXPECT_EQ(StatusOf(id), "New") << "after " << failure - 1 << " failures";
    const std::vector<std::string> payloads = Payloads(id);
    ASSERT_EQ(payloads.size(), 1u);
    Exit(payloads[0], 1);  // before Ready: Error, restarted after a back-off
    auto next = client_->Post("/emulator/v0/clock/advance", R"({"to": "next_timer"})");
    ASSERT_EQ(next.status, 200) << next.raw;
  }
  EXPECT_EQ(StatusOf(id), "Error");
  Ready(Payloads(id)[0]);
  EXPECT_EQ(StatusOf(id), "Running");
  EXPECT_EQ(Journalled(id), (std::vector<std::string>{"New>Error", "Error>Running"}));
}

TEST_F(AllocationStatusTest, ErrorWhenGameServersKeepCrashingAfterReady) {
  const std::string id = Create({{"buffer_size", 3}});
  const std::vector<std::string> ready = Payloads(id);
  ASSERT_EQ(ready.size(), 3u);
  for (const std::string& payload : ready) {
    EXPECT_EQ(StatusOf(id), "Running");
    Exit(payload, 1);  // after Ready: Unhealthy; replacements wait the crash back-off
  }
  EXPECT_EQ(StatusOf(id), "Error");
  // The crash back-off ends, a replacement starts and is Ready (auto_ready).
  for (int i = 0; i < 10 && StatusOf(id) != "Running"; ++i) {
    ASSERT_EQ(client_->Post("/emulator/v0/clock/advance", R"({"to": "next_timer"})").status, 200);
  }
  EXPECT_EQ(StatusOf(id), "Running");
}

}  // namespace
}  // namespace imsemu
