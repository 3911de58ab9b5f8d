// The orchestration API (spec §3) over real HTTP.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "tests/testing/test_emulator.h"
#include "tests/testing/test_world.h"

namespace imsemu {
namespace {

using test::Client;
using test::ExpectErrorShape;
using test::Json;
using test::kAllocation;
using test::kProject;

const std::string kBase = std::string("/api/v0/projects/") + kProject + "/allocations";
const std::string kAlloc = kBase + "/" + kAllocation;

class OrchestrationApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    emulator_ = test::StartEmulator(test::OneAllocation(test::TestSpec(2)));
    ASSERT_NE(emulator_, nullptr);
    client_ = std::make_unique<Client>(test::MainAddress(*emulator_));
  }
  std::vector<std::string> PayloadIds() {
    std::vector<std::string> ids;
    const Json results = client_->Get(kAlloc + "/payloads").body["results"];
    for (const Json& p : results) ids.push_back(p["id"]);
    return ids;
  }

  std::unique_ptr<EmulatorImpl> emulator_;
  std::unique_ptr<Client> client_;
};

TEST_F(OrchestrationApiTest, ListsAndReadsAllocations) {
  auto list = client_->Get(kBase, {{"Authorization", "Bearer anything"}});
  ASSERT_EQ(list.status, 200) << list.raw;
  ASSERT_EQ(list.body["results"].size(), 1u);
  EXPECT_EQ(list.body["results"][0]["id"], kAllocation);
  EXPECT_EQ(list.body["results"][0]["annotations"]["session_type"], "default");
  auto one = client_->Get(kAlloc);
  EXPECT_EQ(one.body["result"]["buffer_size"], 2);
  EXPECT_EQ(one.body["result"]["status"], "Running");
  ExpectErrorShape(client_->Get(kBase + "/nope"), 404);
  ExpectErrorShape(client_->Get("/api/v0/projects/nope/allocations"), 404);
}

TEST_F(OrchestrationApiTest, CreatesAllocationsThatFillTheirBuffer) {
  auto r = client_->Post("/api/v0/projects/new-project/allocations", R"({
    "name": "ranked", "annotations": {"session_type": "ranked"}, "labels": {"tier": "gold"},
    "buffer_size": 3, "max_payloads": 5, "auto_ready": true,
    "payload_spec": {"ports": [{"name": "GamePort", "container_port": 7777, "protocol": "UDP"},
                               {"name": "Query", "container_port": 27015, "protocol": "TCP"}]}})");
  ASSERT_EQ(r.status, 200) << r.raw;
  const std::string id = r.body["result"]["id"];
  EXPECT_EQ(id.size(), 36u);
  auto payloads = client_->Get("/api/v0/projects/new-project/allocations/" + id + "/payloads");
  ASSERT_EQ(payloads.body["results"].size(), 3u);
  EXPECT_EQ(payloads.body["results"][0]["status"]["state"], "Ready");
  EXPECT_EQ(payloads.body["results"][0]["status"]["ports"].size(), 2u);
}

TEST_F(OrchestrationApiTest, RefusesBadSpecsNamingTheField) {
  struct Case {
    const char* body;
    const char* field;
  } cases[] = {
      {R"({"buffer_size": -1})", "buffer_size"},
      {R"({"buffer_size": "two"})", "buffer_size"},
      {R"({"bufer_size": 2})", "bufer_size"},
      {R"({"min_payloads": 3, "max_payloads": 1})", "min_payloads"},
      {R"({"labels": {"bad key": "v"}})", "labels"},
      {R"({"payload_spec": {"ports": [{"name": "G", "container_port": 0}]}})", "container_port"},
      {R"({"payload_spec": {"ports": [{"name": "G", "container_port": 1, "protocol": "SCTP"}]}})",
       "protocol"},
      {R"({"annotations": {"a": 1}})", "annotations.a"},
      {R"({"payload_spec": {"ports": [{"name": "G", "container_port": 1, "port_policy": "STATIC"}]}})",
       "payload_spec.ports[0].port_policy must be DYNAMIC"},
      {R"({"payload_spec": {"resources": {"memory": "64MB"}}})", "payload_spec.resources.memory"},
      {R"({"payload_spec": {"resources": {"memory": 64}}})", "payload_spec.resources.memory"},
      {R"({"payload_spec": {"resources": {"cpu": "0"}}})", "payload_spec.resources.cpu"},
      {R"({"payload_spec": {"resources": {"gpu": "1"}}})", "payload_spec.resources.gpu"},
      {R"({"payload_spec": {"environment_variables": {"MODE": "x"}}})",
       "payload_spec.environment_variables must be an array"},
      {R"({"payload_spec": {"environment_variables": [{"value": "x"}]}})",
       "payload_spec.environment_variables[0].name"},
      {R"({"payload_spec": {"environment_variables": [{"name": "A=B", "value": "x"}]}})",
       "payload_spec.environment_variables[0].name"},
      {R"({"payload_spec": {"environment_variables": [{"name": "M", "value": "1"},
                                                      {"name": "M", "value": "2"}]}})",
       "payload_spec.environment_variables[1].name 'M' is given twice"},
      {R"({"payload_spec": {"env": {"M": "1"}, "environment_variables": [{"name": "M"}]}})",
       "payload_spec.environment_variables[0].name 'M' is in payload_spec.env too"},
      {R"([])", "request body"},
      {R"({"name": )", "JSON"},
  };
  for (const Case& c : cases) {
    auto r = client_->Post(kBase, c.body);
    ExpectErrorShape(r, 400);
    EXPECT_NE(r.body["message"].get<std::string>().find(c.field), std::string::npos)
        << c.body << " -> " << r.raw;
  }
  EXPECT_EQ(client_->Get(kBase).body["results"].size(), 1u);
}

// IMS's payload_spec fields: accepted, stored, returned as sent (and a GET's
// body PUT back unchanged is no change at all).
TEST_F(OrchestrationApiTest, KeepsImsPortPolicyResourcesAndEnvironmentVariables) {
  auto r = client_->Post("/api/v0/projects/new-project/allocations", R"({
    "annotations": {"session_type": "ranked"}, "buffer_size": 1, "auto_ready": true,
    "payload_spec": {
      "ports": [{"name": "GamePort", "container_port": 7777, "protocol": "UDP",
                 "port_policy": "DYNAMIC"},
                {"name": "Query", "container_port": 27015, "protocol": "TCP"}],
      "resources": {"cpu": "500m", "memory": "512Mi"},
      "environment_variables": [{"name": "MAP", "value": "dust"}, {"name": "EMPTY"}]}})");
  ASSERT_EQ(r.status, 200) << r.raw;
  const std::string url =
      "/api/v0/projects/new-project/allocations/" + r.body["result"]["id"].get<std::string>();
  auto got = client_->Get(url);
  const Json spec = got.body["result"]["payload_spec"];
  EXPECT_EQ(spec["ports"][0]["port_policy"], "DYNAMIC");
  EXPECT_EQ(spec["ports"][1]["port_policy"], "DYNAMIC") << "the default, shown";
  EXPECT_EQ(spec["resources"], Json::parse(R"({"cpu": "500m", "memory": "512Mi"})"));
  EXPECT_EQ(spec["environment_variables"],
            Json::parse(R"([{"name": "MAP", "value": "dust"}, {"name": "EMPTY", "value": ""}])"));
  EXPECT_FALSE(client_->Get(kAlloc).body["result"]["payload_spec"].contains("resources"))
      << "no resources given, none shown";

  auto same = client_->Put(url, got.body["result"].dump());
  ASSERT_EQ(same.status, 200) << same.raw;
  EXPECT_EQ(same.body["result"]["revision"], 1) << "the same spec sent back changes nothing";
  EXPECT_EQ(same.body["result"]["payload_spec"], spec);

  // What runs changes with any of them: a new revision, rolled out.
  Json edited = got.body["result"];
  edited["payload_spec"]["resources"]["memory"] = "1Gi";
  auto put = client_->Put(url, edited.dump());
  ASSERT_EQ(put.status, 200) << put.raw;
  EXPECT_EQ(put.body["result"]["revision"], 2);
  edited["payload_spec"]["environment_variables"][0]["value"] = "nuke";
  EXPECT_EQ(client_->Put(url, edited.dump()).body["result"]["revision"], 3);
}

TEST_F(OrchestrationApiTest, ReplacesAndDeletesAllocations) {
  Json spec = client_->Get(kAlloc).body["result"];
  spec["buffer_size"] = 4;
  auto put = client_->Put(kAlloc, spec.dump());
  ASSERT_EQ(put.status, 200) << put.raw;
  EXPECT_EQ(PayloadIds().size(), 4u);
  auto del = client_->Delete(kAlloc);
  ASSERT_EQ(del.status, 200);
  EXPECT_EQ(del.body["result"]["status"], "Deleted") << "nothing Reserved: drained at once";
  EXPECT_EQ(client_->Get(kAlloc).body["result"]["status"], "Deleted");
}

TEST_F(OrchestrationApiTest, DeleteDrainsReservedPayloadsFirst) {
  ASSERT_EQ(client_->Post(kAlloc + "/reservations", "").status, 200);
  auto del = client_->Delete(kAlloc);
  EXPECT_EQ(del.body["result"]["status"], "Draining");
  EXPECT_EQ(PayloadIds().size(), 1u);
  ExpectErrorShape(client_->Post(kAlloc + "/reservations", ""), 412);
}

TEST_F(OrchestrationApiTest, ReservesWithSelectorsAndAppliesMetadata) {
  auto ids = PayloadIds();
  ASSERT_EQ(client_
                ->Put(kAlloc + "/payloads/" + ids[1] + "/metadata/label",
                      R"({"key":"map","value":"dust"})")
                .status,
            200);
  auto r = client_->Post(kAlloc + "/reservations", R"({
    "payload_metadata": {"labels": {"match": "m1"}, "annotations": {"players": "a,b"}},
    "selectors": [{"match_labels": {"map": "nuke"}}, {"match_labels": {"map": "dust"}}]})");
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["result"]["id"], ids[1]);
  EXPECT_EQ(r.body["result"]["status"]["state"], "Reserved");
  EXPECT_EQ(r.body["result"]["metadata"]["labels"]["match"], "m1");
  EXPECT_EQ(r.body["result"]["metadata"]["annotations"]["players"], "a,b");
  EXPECT_TRUE(r.body["result"]["status"].contains("last_reserved"));
}

TEST_F(OrchestrationApiTest, MatchLabelsMayBeAnEmptyArray) {
  auto r = client_->Post(kAlloc + "/reservations",
                         R"({"selectors": [{"match_labels": [], "payload_state": "Ready"}]})");
  EXPECT_EQ(r.status, 200) << r.raw;
}

TEST_F(OrchestrationApiTest, BackfillMovesLastReserved) {
  auto first = client_->Post(kAlloc + "/reservations",
                             R"({"payload_metadata": {"labels": {"match": "m1"}}})");
  ASSERT_EQ(first.status, 200);
  ASSERT_TRUE(emulator_->AdvanceClock(Duration(7000)).ok());
  auto again = client_->Post(
      kAlloc + "/reservations",
      R"({"selectors": [{"match_labels": {"match": "m1"}, "payload_state": "Reserved"}]})");
  ASSERT_EQ(again.status, 200) << again.raw;
  EXPECT_EQ(again.body["result"]["id"], first.body["result"]["id"]);
  EXPECT_EQ(first.body["result"]["status"]["last_reserved"], "2026-01-01T00:00:00Z");
  EXPECT_EQ(again.body["result"]["status"]["last_reserved"], "2026-01-01T00:00:07Z");
}

TEST_F(OrchestrationApiTest, NothingMatchingIs412AndChangesNothing) {
  auto r = client_->Post(kAlloc + "/reservations", R"({
    "payload_metadata": {"labels": {"x": "y"}},
    "selectors": [{"match_labels": {"map": "none"}}]})");
  ExpectErrorShape(r, 412);
  const Json results = client_->Get(kAlloc + "/payloads").body["results"];
  for (const Json& p : results) {
    EXPECT_EQ(p["status"]["state"], "Ready");
    EXPECT_EQ(p["metadata"]["labels"], Json::object());
  }
}

TEST_F(OrchestrationApiTest, RefusesBadReservations) {
  ExpectErrorShape(
      client_->Post(kAlloc + "/reservations", R"({"selectors": [{"payload_state": "Starting"}]})"),
      400);
  ExpectErrorShape(client_->Post(kAlloc + "/reservations", R"({"selectors": {}})"), 400);
  ExpectErrorShape(
      client_->Post(kAlloc + "/reservations", R"({"payload_metadata": {"labels": {"_x": "1"}}})"),
      400);
  ExpectErrorShape(client_->Post(kBase + "/nope/reservations", ""), 404);
}

TEST_F(OrchestrationApiTest, DeletesPayloadsReservedOnlyWithForce) {
  auto reserved = client_->Post(kAlloc + "/reservations", "");
  const std::string id = reserved.body["result"]["id"];
  ExpectErrorShape(client_->Delete(kAlloc + "/payloads/" + id), 412);
  ExpectErrorShape(client_->Delete(kAlloc + "/payloads/" + id + "?force_delete=maybe"), 400);
  EXPECT_EQ(client_->Delete(kAlloc + "/payloads/" + id + "?force_delete=true").status, 200);
  ExpectErrorShape(client_->Get(kAlloc + "/payloads/" + id), 404);
  auto ready = PayloadIds();
  EXPECT_EQ(client_->Delete(kAlloc + "/payloads/" + ready[0]).status, 200);
}

TEST_F(OrchestrationApiTest, SetsPayloadMetadataAndValidatesIt) {
  const std::string id = PayloadIds()[0];
  EXPECT_EQ(client_
                ->Put(kAlloc + "/payloads/" + id + "/metadata/annotation",
                      R"({"key":"note","value":"x"})")
                .status,
            200);
  ExpectErrorShape(
      client_->Put(kAlloc + "/payloads/" + id + "/metadata/label", R"({"key":"","value":"x"})"),
      400);
  EXPECT_EQ(
      client_->Get(kAlloc + "/payloads/" + id).body["result"]["metadata"]["annotations"]["note"],
      "x");
}

TEST_F(OrchestrationApiTest, ConcurrentReservationsNeverTakeOnePayloadTwice) {
  Json spec = client_->Get(kAlloc).body["result"];
  spec["buffer_size"] = 0;
  spec["min_payloads"] = 10;
  ASSERT_EQ(client_->Put(kAlloc, spec.dump()).status, 200);
  ASSERT_EQ(PayloadIds().size(), 10u);
  std::mutex mu;
  std::vector<std::string> taken;
  int refused = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      Client c(test::MainAddress(*emulator_));
      for (int i = 0; i < 4; ++i) {
        auto r = c.Post(kAlloc + "/reservations", "");
        std::lock_guard lock(mu);
        if (r.status == 200) {
          taken.push_back(r.body["result"]["id"]);
        } else {
          EXPECT_EQ(r.status, 412) << r.raw;
          ++refused;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(taken.size(), 10u);
  EXPECT_EQ(std::set<std::string>(taken.begin(), taken.end()).size(), 10u);
  EXPECT_EQ(refused, 22);
}

}  // namespace
}  // namespace imsemu
