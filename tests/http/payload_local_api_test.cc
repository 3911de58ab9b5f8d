// The Payload Local API over real HTTP, on each payload's own port and under
// the main port's /payloads/{id} prefix, with every wire quirk of spec §1.
#include <gtest/gtest.h>

#include "tests/testing/test_emulator.h"
#include "tests/testing/test_world.h"

namespace imsemu {
namespace {

using test::Client;
using test::ExpectErrorShape;
using test::Json;
using test::kAllocation;
using test::kProject;

void ExpectNoNulls(const Json& j, const std::string& where = "$") {
  ASSERT_FALSE(j.is_null()) << "null at " << where;
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) ExpectNoNulls(*it, where + "." + it.key());
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i)
      ExpectNoNulls(j[i], where + "[" + std::to_string(i) + "]");
  }
}

enum class Address { kOwnPort, kSharedPort };

class PayloadLocalApiTest : public ::testing::TestWithParam<Address> {
 protected:
  void SetUp() override {
    EmulatorOptions options;
    options.payload_listeners = GetParam() == Address::kOwnPort;
    emulator_ =
        test::StartEmulator(test::OneAllocation(test::TestSpec(2, /*auto_ready=*/false)), options);
    ASSERT_NE(emulator_, nullptr);
    payload_id_ = test::FirstPayloadId(*emulator_);
    api_ = emulator_->PayloadApiOf(payload_id_);
    if (GetParam() == Address::kSharedPort) {
      ASSERT_NE(api_.find("/payloads/" + payload_id_), std::string::npos) << api_;
    } else {
      ASSERT_EQ(api_.find('/'), std::string::npos) << api_;
    }
  }

  core::PayloadState State() { return emulator_->world().GetPayload(payload_id_)->state; }

  std::unique_ptr<EmulatorImpl> emulator_;
  std::string payload_id_;
  std::string api_;
};

TEST_P(PayloadLocalApiTest, GetPayloadHasEveryRequiredFieldAndNoNull) {
  Client c(api_);
  auto r = c.Get("/api/v0/payload");
  ASSERT_EQ(r.status, 200) << r.raw;
  ExpectNoNulls(r.body);
  const Json& p = r.body["result"];
  EXPECT_EQ(p["id"], payload_id_);
  EXPECT_EQ(p["cluster_id"], "local");
  EXPECT_EQ(p["allocation_id"], kAllocation);
  EXPECT_EQ(p["status"]["state"], "Starting");
  EXPECT_EQ(p["status"]["address"], "127.0.0.1");
  EXPECT_EQ(p["status"]["ports"][0]["name"], "GamePort");
  EXPECT_TRUE(p["status"]["ports"][0]["port"].is_number_integer());
  EXPECT_EQ(p["status"]["started"], "2026-01-01T00:00:00Z");
  EXPECT_FALSE(p["status"].contains("last_reserved"));
  EXPECT_FALSE(p["status"].contains("details"));
  EXPECT_EQ(p["created"], "2026-01-01T00:00:00Z");
  EXPECT_TRUE(p["metadata"]["labels"].is_object());
  EXPECT_TRUE(p["metadata"]["annotations"].is_object());
}

TEST_P(PayloadLocalApiTest, GetToleratesAJsonContentTypeAndABody) {
  Client c(api_);
  auto r = c.Get("/api/v0/payload", {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 200);
  const std::string raw = c.SendRaw(
      "GET /api/v0/payload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
  EXPECT_EQ(raw.rfind("HTTP/1.1 200", 0), 0u) << raw;
  EXPECT_NE(raw.find(payload_id_), std::string::npos);
}

TEST_P(PayloadLocalApiTest, ReadyWithAnEmptyJsonBodyAsCSharpSendsIt) {
  Client c(api_);
  auto r = c.Post("/api/v0/ready", "", "application/json; charset=utf-8");
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body, Json::object());
  EXPECT_EQ(State(), core::PayloadState::kReady);
}

TEST_P(PayloadLocalApiTest, ReadyWithAnEmptyObjectAsUnrealSendsIt) {
  Client c(api_);
  EXPECT_EQ(c.Post("/api/v0/ready", "{}").status, 200);
  EXPECT_EQ(State(), core::PayloadState::kReady);
}

TEST_P(PayloadLocalApiTest, ReadyWithAnEmptyFormBody) {
  Client c(api_);
  EXPECT_EQ(c.Post("/api/v0/ready", "", "application/x-www-form-urlencoded").status, 200);
  EXPECT_EQ(State(), core::PayloadState::kReady);
}

TEST_P(PayloadLocalApiTest, ReadyWithNoBodyAtAllAsCurlSendsIt) {
  Client c(api_);
  const std::string raw = c.SendRaw(
      "POST /api/v0/ready HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(raw.rfind("HTTP/1.1 200", 0), 0u) << raw;
  EXPECT_EQ(State(), core::PayloadState::kReady);
}

TEST_P(PayloadLocalApiTest, ReadyIsIdempotentAndRefusedFromError) {
  Client c(api_);
  ASSERT_EQ(c.Post("/api/v0/ready", "").status, 200);
  ASSERT_EQ(c.Post("/api/v0/ready", "").status, 200);
  EXPECT_EQ(State(), core::PayloadState::kReady);
  // A second payload that crashed before ready cannot become Ready.
  const std::string other = emulator_->world().Snapshot().payloads.at(1).id;
  ASSERT_TRUE(emulator_->world().ExitPayload(other, core::ProcessExit::Exited(2)).ok());
  Client o(emulator_->PayloadApiOf(other));
  auto r = o.Post("/api/v0/ready", "");
  ExpectErrorShape(r, 409);
  EXPECT_NE(r.body["message"].get<std::string>().find("Error"), std::string::npos);
}

TEST_P(PayloadLocalApiTest, SetsLabelsAndAnnotations) {
  Client c(api_);
  EXPECT_EQ(c.Put("/api/v0/metadata/label", R"({"key":"map","value":"dust2"})").status, 200);
  EXPECT_EQ(c.Put("/api/v0/metadata/annotation", R"({"key":"motd","value":"hi / there"})").status,
            200);
  EXPECT_EQ(c.Put("/api/v0/metadata/label", R"({"key":"map","value":"nuke"})").status, 200);
  auto p = c.Get("/api/v0/payload").body["result"];
  EXPECT_EQ(p["metadata"]["labels"]["map"], "nuke");
  EXPECT_EQ(p["metadata"]["annotations"]["motd"], "hi / there");
}

TEST_P(PayloadLocalApiTest, RefusesBadMetadataNamingTheFieldAndChangesNothing) {
  Client c(api_);
  auto r = c.Put("/api/v0/metadata/label", R"({"key":"_bad","value":"x"})");
  ExpectErrorShape(r, 400);
  EXPECT_NE(r.body["message"].get<std::string>().find("key"), std::string::npos);
  r = c.Put("/api/v0/metadata/label", R"({"key":"ok","value":"has space"})");
  ExpectErrorShape(r, 400);
  EXPECT_NE(r.body["message"].get<std::string>().find("value"), std::string::npos);
  ExpectErrorShape(c.Put("/api/v0/metadata/label", R"({"key":"ok"})"), 400);
  ExpectErrorShape(c.Put("/api/v0/metadata/annotation", R"({"key":"ok","value":3})"), 400);
  ExpectErrorShape(c.Put("/api/v0/metadata/annotation", R"({"key":)"), 400);
  ExpectErrorShape(c.Put("/api/v0/metadata/annotation", R"([1,2])"), 400);
  const std::string huge(256 * 1024 + 1, 'a');
  ExpectErrorShape(
      c.Put("/api/v0/metadata/annotation", Json({{"key", "big"}, {"value", huge}}).dump()), 400);
  auto p = c.Get("/api/v0/payload").body["result"];
  EXPECT_EQ(p["metadata"]["labels"], Json::object());
  EXPECT_EQ(p["metadata"]["annotations"], Json::object());
}

TEST_P(PayloadLocalApiTest, SessionEndpointsAnswerEmptyObjectsWithoutASession) {
  Client c(api_);
  auto config = c.Get("/api/v0/session-manager/config");
  EXPECT_EQ(config.status, 200);
  EXPECT_EQ(config.body, Json::object());
  auto status = c.Get("/api/v0/session-manager/status");
  EXPECT_EQ(status.status, 200);
  EXPECT_EQ(status.body, Json::object());
}

TEST_P(PayloadLocalApiTest, SessionStatusIsReplacedWholeAndNullsBecomeEmpty) {
  Client c(api_);
  ASSERT_EQ(c.Post("/api/v0/session-manager/status", R"({"phase":"lobby","players":"1"})").status,
            200);
  EXPECT_EQ(c.Get("/api/v0/session-manager/status").body,
            Json({{"phase", "lobby"}, {"players", "1"}}));
  ASSERT_EQ(c.Post("/api/v0/session-manager/status", R"({"phase":"match","map":null})").status,
            200);
  EXPECT_EQ(c.Get("/api/v0/session-manager/status").body, Json({{"phase", "match"}, {"map", ""}}));
  bool warned = false;
  for (const auto& e : emulator_->world().Events(0, 1000)) {
    warned = warned ||
             (e.level == core::EventLevel::kWarning && e.detail.find("'map'") != std::string::npos);
  }
  EXPECT_TRUE(warned);
}

TEST_P(PayloadLocalApiTest, SessionStatusWithANonStringValueIsRefused) {
  Client c(api_);
  ASSERT_EQ(c.Post("/api/v0/session-manager/status", R"({"phase":"lobby"})").status, 200);
  for (const char* body :
       {R"({"players":3})", R"({"a":{"b":"c"}})", R"({"ok":true})", R"(["x"])", R"("text")"}) {
    auto r = c.Post("/api/v0/session-manager/status", body);
    ExpectErrorShape(r, 400);
  }
  auto r = c.Post("/api/v0/session-manager/status", R"({"players":3})");
  EXPECT_NE(r.body["message"].get<std::string>().find("players"), std::string::npos);
  EXPECT_EQ(c.Get("/api/v0/session-manager/status").body, Json({{"phase", "lobby"}}));
}

TEST_P(PayloadLocalApiTest, SessionStatusWithNoBodyIsRefusedAndClearsNothing) {
  Client c(api_);
  ASSERT_EQ(c.Post("/api/v0/session-manager/status", R"({"phase":"lobby"})").status, 200);
  for (const char* body : {"", "  \r\n"}) {
    auto r = c.Post("/api/v0/session-manager/status", body);
    ExpectErrorShape(r, 400);
    EXPECT_NE(r.body["message"].get<std::string>().find("request body is empty"), std::string::npos)
        << r.raw;
  }
  EXPECT_EQ(c.Get("/api/v0/session-manager/status").body, Json({{"phase", "lobby"}}));
  // {} is how a server clears it on purpose.
  ASSERT_EQ(c.Post("/api/v0/session-manager/status", "{}").status, 200);
  EXPECT_EQ(c.Get("/api/v0/session-manager/status").body, Json::object());
}

TEST_P(PayloadLocalApiTest, AKnownPathAskedWithAnotherMethodIs405NamingTheAllowedOnes) {
  Client c(api_);
  auto r = c.Delete("/api/v0/session-manager/status");
  ExpectErrorShape(r, 405);
  EXPECT_EQ(r.headers.find("Allow")->second, "GET, POST");
  EXPECT_NE(r.body["message"].get<std::string>().find("allowed: GET, POST"), std::string::npos)
      << r.raw;
  EXPECT_EQ(c.Get("/api/v0/ready").headers.find("Allow")->second, "POST");
  // A path no route has is still a 404.
  ExpectErrorShape(c.Delete("/api/v0/nothing"), 404);
}

TEST_P(PayloadLocalApiTest, BodiesOverOneMebibyteAre413) {
  Client c(api_);
  auto r = c.Post("/api/v0/session-manager/status", std::string(1024 * 1024 + 1, ' '));
  ExpectErrorShape(r, 413);
}

TEST_P(PayloadLocalApiTest, UnknownEndpointIs404WithTheErrorShape) {
  Client c(api_);
  ExpectErrorShape(c.Get("/api/v0/health"), 404);
}

INSTANTIATE_TEST_SUITE_P(Addresses, PayloadLocalApiTest,
                         ::testing::Values(Address::kOwnPort, Address::kSharedPort),
                         [](const auto& param_info) {
                           return param_info.param == Address::kOwnPort ? "OwnPort" : "SharedPort";
                         });

TEST(PayloadLocalApiSharedPortTest, UnknownPayloadIs404) {
  auto emulator = test::StartEmulator(test::OneAllocation(test::TestSpec(1)));
  Client c(test::MainAddress(*emulator) + "/payloads/zzzzz-zzzzz");
  auto r = c.Get("/api/v0/payload");
  ExpectErrorShape(r, 404);
  EXPECT_NE(r.body["message"].get<std::string>().find("zzzzz-zzzzz"), std::string::npos);
}

TEST(PayloadLocalApiListenerTest, APayloadsOwnPortServesNoOtherApisPaths) {
  auto emulator = test::StartEmulator(test::OneAllocation(test::TestSpec(1)));
  Client own(emulator->PayloadApiOf(test::FirstPayloadId(*emulator)));
  // The control API lives on the main port: here it is no path at all.
  ExpectErrorShape(own.Post("/emulator/v0/clock/advance", "{}"), 404);
  ExpectErrorShape(own.Delete("/emulator/v0/state"), 404);
  // And on the main port the Payload Local API is only under /payloads/{id}.
  Client main(test::MainAddress(*emulator));
  ExpectErrorShape(main.Delete("/api/v0/ready"), 404);
}

TEST(PayloadLocalApiListenerTest, ListenerClosesWhenThePayloadIsRemoved) {
  auto emulator = test::StartEmulator(test::OneAllocation(test::TestSpec(1)));
  const std::string id = test::FirstPayloadId(*emulator);
  const std::string api = emulator->PayloadApiOf(id);
  EXPECT_EQ(Client(api).Get("/api/v0/payload").status, 200);
  ASSERT_TRUE(emulator->world().DeletePayload(kProject, kAllocation, id, false).ok());
  EXPECT_NE(emulator->PayloadApiOf(id), api);
  const std::string replacement = test::FirstPayloadId(*emulator);
  EXPECT_NE(replacement, id);
  EXPECT_EQ(Client(emulator->PayloadApiOf(replacement)).Get("/api/v0/payload").status, 200);
}

}  // namespace
}  // namespace imsemu
