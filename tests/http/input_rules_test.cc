// One rule for request bodies everywhere (README "Input rules"): an object
// with known fields only, values in range, names without control characters;
// a refused request answers 400 naming the field and changes nothing.
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

struct Refused {
  const char* method;
  std::string path;  // "{p}" is the first payload's id
  const char* body;
  const char* names;  // what the message must mention
};

class InputRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    emulator_ = test::StartEmulator(test::OneAllocation(test::TestSpec(2)));
    ASSERT_NE(emulator_, nullptr);
  }
  std::unique_ptr<EmulatorImpl> emulator_;
};

TEST_F(InputRulesTest, UnknownFieldsNullBodiesAndOutOfRangeValuesAreRefused) {
  const std::string alloc = std::string("/api/v0/projects/") + kProject + "/allocations";
  const std::string sessions =
      std::string("/api/v0/projects/") + kProject + "/sessions?session_type=default";
  const std::vector<Refused> cases = {
      {"POST", sessions, R"({"sesion_config": "x"})", "sesion_config"},
      {"POST", alloc + "/" + kAllocation + "/reservations", "null", "request body"},
      {"POST", alloc + "/" + kAllocation + "/reservations", R"({"selector": []})", "selector"},
      {"POST", alloc + "/" + kAllocation + "/reservations",
       R"({"payload_metadata": {"label": {}}})", "payload_metadata.label"},
      {"POST", alloc + "/" + kAllocation + "/reservations",
       R"({"selectors": [{"match_label": {}}]})", "selectors[0].match_label"},
      {"PUT", alloc + "/" + kAllocation + "/payloads/{p}/metadata/label",
       R"({"key": "a", "value": "b", "extra": 1})", "extra"},
      {"PUT", alloc + "/" + kAllocation + "/payloads/{p}/metadata/label", "null", "request body"},
      {"PUT", "/payloads/{p}/api/v0/metadata/annotation", R"({"key": "a", "vaule": "b"})", "vaule"},
      {"POST", "/emulator/v0/clock/advance", "null", "request body"},
      {"POST", "/emulator/v0/clock/advance", R"({"seconds": 1, "second": 2})", "second"},
      {"POST", "/emulator/v0/payloads/{p}/exit", R"({"code": 12345})", "code must be in 0..255"},
      {"POST", "/emulator/v0/payloads/{p}/exit", R"({"code": -1})", "code must be in 0..255"},
      {"PUT", "/emulator/v0/payloads/{p}/state", R"({"state": "Ready", "why": 1})", "why"},
      {"POST", "/emulator/v0/payloads/{p}/api-down", R"({"seconds": 5, "x": 1})", "x"},
      {"POST", "/emulator/v0/faults", R"({"status": 500, "times": -1})", "times must be in"},
      {"POST", "/emulator/v0/faults", R"({"status": 500, "times": 0})", "times must be in"},
      {"POST", "/emulator/v0/faults", R"({"status": 200})", "status must be in"},
      {"POST", alloc, R"({"name": "", "annotations": {"session_type": "x"}})", "name"},
      {"POST", alloc, "{\"name\": \"a\\u0007b\"}", "control characters"},
      {"POST", alloc, R"({"name": "x", "buffer_size": 5, "max_payloads": 2})",
       "buffer_size must be <= max_payloads"},
      {"POST", alloc,
       R"({"name": "x", "payload_spec": {"ports": [{"name": "a\nb", "container_port": 1}]}})",
       "payload_spec.ports[0].name"},
      {"POST", alloc, R"({"name": "x", "payload_spec": {"env": {"A=B": "c"}}})",
       "payload_spec.env"},
  };
  const std::string payload = test::FirstPayloadId(*emulator_);
  const std::string before = Client(test::MainAddress(*emulator_)).Get("/emulator/v0/state").raw;
  for (Refused c : cases) {
    std::string path = c.path;
    if (size_t at = path.find("{p}"); at != std::string::npos) path.replace(at, 3, payload);
    Client client(test::MainAddress(*emulator_));
    const httplib::Headers auth = {{"Authorization", "Bearer p/t"}};
    test::Reply r = std::string(c.method) == "PUT"
                        ? client.Put(path, c.body)
                        : client.Post(path, c.body, "application/json", auth);
    ExpectErrorShape(r, 400);
    EXPECT_NE(r.body.value("message", "").find(c.names), std::string::npos)
        << c.method << " " << path << " " << c.body << " -> " << r.raw;
  }
  EXPECT_EQ(Client(test::MainAddress(*emulator_)).Get("/emulator/v0/state").raw, before);
}

TEST_F(InputRulesTest, LenientWhereRealClientsAre) {
  Client c(test::MainAddress(*emulator_));
  const httplib::Headers auth = {{"Authorization", "Bearer p/t"}};
  const std::string sessions =
      std::string("/api/v0/projects/") + kProject + "/sessions?session_type=default";
  // The C# client's literal null, and an empty reservation body.
  EXPECT_EQ(c.Post(sessions, "null", "application/json", auth).status, 200);
  EXPECT_EQ(c.Post(std::string("/api/v0/projects/") + kProject + "/allocations/" + kAllocation +
                       "/reservations",
                   "")
                .status,
            200);
  // Unity's null status values, stored as "".
  const std::string payload = test::FirstPayloadId(*emulator_);
  EXPECT_EQ(Client(emulator_->PayloadApiOf(payload))
                .Post("/api/v0/session-manager/status", R"({"phase": null})")
                .status,
            200);
}

}  // namespace
}  // namespace imsemu
