// The recorder's pure functions: which call becomes which step, what is left
// out (reads), and what is written as a "not replayed" comment (a call that
// changes the world and that no step replays), never dropped in silence.
#include "emulator/scenario/recorder.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "emulator/scenario/step_kinds.h"
#include "emulator/util/api_routes.h"

namespace imsemu::scenario {
namespace {

using ::testing::HasSubstr;

RecordedCall Call(std::string method, std::string path, std::string body = "", int status = 200) {
  RecordedCall c;
  c.method = std::move(method);
  c.path = std::move(path);
  c.body = std::move(body);
  c.status = status;
  c.response_body = "{}";
  return c;
}

std::optional<RecordedStep> Step(const RecordedCall& call) {
  RecordingWorld world;
  std::map<std::string, std::string> variables;
  return StepFor(call, world, variables);
}

// The kind of the step for `call` ("(none)" when there is none).
std::string KindFor(const RecordedCall& call) {
  const auto step = Step(call);
  return step ? step->kind : "(none)";
}

TEST(RecorderTest, ControlCallsThatChangeTheWorldBecomeSteps) {
  EXPECT_EQ(KindFor(Call("POST", "/emulator/v0/reset")), "emulator.reset");
  EXPECT_EQ(KindFor(Call("DELETE", "/emulator/v0/faults")), "fault.clear");
  auto fault = Step(Call("POST", "/emulator/v0/faults", R"({"status": 503})"));
  ASSERT_TRUE(fault.has_value());
  EXPECT_EQ(fault->kind, "fault.add");
  EXPECT_EQ(fault->params["status"], 503);
  EXPECT_EQ(KindFor(Call("POST", "/emulator/v0/snapshots/a")), "emulator.snapshot");
  EXPECT_EQ(KindFor(Call("POST", "/emulator/v0/snapshots/a/restore")), "emulator.restore");
}

TEST(RecorderTest, ReadsAndTheClockAreLeftOut) {
  EXPECT_FALSE(Step(Call("GET", "/emulator/v0/state")));
  EXPECT_FALSE(Step(Call("GET", "/emulator/v0/events")));
  EXPECT_FALSE(Step(Call("POST", "/emulator/v0/clock/advance", R"({"seconds": 1})")))
      << "time between steps becomes emulator.advance";
}

TEST(RecorderTest, AWorldChangingCallNoStepReplaysIsACommentNeverDropped) {
  auto unknown = Step(Call("POST", "/emulator/v0/some-new-control-call", "{}"));
  ASSERT_TRUE(unknown.has_value()) << "dropped without a word";
  EXPECT_TRUE(unknown->kind.empty());
  EXPECT_EQ(unknown->comment,
            "not replayed: POST /emulator/v0/some-new-control-call (no step kind replays this "
            "control call)");
  auto imported = Step(Call("POST", "/emulator/v0/import", R"({"file": "/x.json"})"));
  ASSERT_TRUE(imported.has_value());
  EXPECT_THAT(imported->comment, HasSubstr("replay from the snapshot with serve --import"));
  EXPECT_THAT(StepText(*unknown),
              HasSubstr("# not replayed: POST /emulator/v0/some-new-control-call"));
}

// Every world-changing control call the emulator serves becomes a step or a
// "not replayed" comment: a control call added without either fails here.
TEST(RecorderTest, EveryWorldChangingControlRouteIsReplayedOrSaid) {
  int control = 0;
  for (const routes::Route& route : routes::kAllRoutes) {
    if (!std::string_view(route.path).starts_with(routes::kControlApiPrefix) ||
        std::string_view(route.method) == "GET" || route.path == routes::kAdvanceClock.path) {
      continue;
    }
    ++control;
    const std::string path = routes::Expand(route.path, {{"payload", "p1"}, {"name", "n"}});
    auto step = Step(Call(route.method, path, R"({"code": 0, "state": "Ready", "seconds": 1})"));
    ASSERT_TRUE(step.has_value()) << route.method << " " << path << " is dropped without a word";
    EXPECT_TRUE(!step->kind.empty() || step->comment.starts_with("not replayed: "))
        << route.method << " " << path;
  }
  EXPECT_GE(control, 8);
}

// What the runner sends for a step kind, the recorder reads back as that
// kind: both go by the kind's route.
TEST(RecorderTest, TheRunnersCallForEachKindIsRecordedAsThatKind) {
  Scenario s;
  StepContext c;
  c.main = "127.0.0.1:9350";
  c.scenario = &s;
  c.payload_api_of = [](const std::string&) { return "127.0.0.1:4000"; };
  int kinds = 0;
  for (const auto& [name, kind] : StepKinds()) {
    if (!kind.build || name == "emulator.advance" ||
        (std::string_view(kind.route.method) == "GET" &&
         std::string_view(kind.route.path).starts_with(routes::kControlApiPrefix))) {
      continue;  // repeats a step; the time between steps; reads of the control API
    }
    Json params = Json::object();
    for (const std::string& p : kind.params) {
      if (p == "via" || p == "raw_body" || p == "auth" || p == "session_type") continue;
      params[p] = p == "for" ? Json("2s") : p == "code" ? Json(3) : Json("v1");
    }
    for (const char* key : {"status", "spec", "body"}) {
      if (params.contains(key)) params[key] = Json::object();
    }
    StatusOr<scenario::Call> call = kind.build(c, params);
    ASSERT_TRUE(call.ok()) << name << ": " << call.status().message();
    RecordedCall recorded;
    recorded.method = call->method;
    const size_t query = call->path.find('?');
    recorded.path = call->path.substr(0, query);
    recorded.body = call->body;
    recorded.status = 200;
    recorded.response_body = "{}";
    if (call->target == "127.0.0.1:4000") recorded.payload_id = "v1";
    auto step = Step(recorded);
    ASSERT_TRUE(step.has_value()) << name;
    EXPECT_EQ(step->kind, name) << step->comment;
    ++kinds;
  }
  EXPECT_GE(kinds, 22);
}

// Identical polls, even interleaved between two payloads, are one step each
// with their count; the time they spanned goes to the next step's advance;
// a call that is not a read ends the run, a changed answer is a step, and
// after fault.add every read is a step (a fault answers and counts reads).
TEST(RecorderTest, IdenticalPollsAreOneStepWithTheirCount) {
  const std::string path = (std::filesystem::path(::testing::TempDir()) /
                            ("polls-" + std::to_string(::getpid()) + ".yaml"))
                               .string();
  const Time start{std::chrono::seconds(1767225600)};
  RecordingWorld world;
  auto recorder = Recorder::Open(path, /*overwrite=*/true, world, start);
  ASSERT_TRUE(recorder.ok()) << recorder.status().message();
  auto poll = [&](const std::string& payload, const std::string& state, int at_ms) {
    RecordedCall c = Call("GET", std::string(routes::kGetPayload.path));
    c.payload_id = payload;
    c.response_body = R"({"result": {"status": {"state": ")" + state + R"("}}})";
    (*recorder)->Record(c, start + Duration(at_ms));
  };
  for (int second = 1; second <= 30; ++second) {
    poll("p1", "Ready", second * 1000);
    poll("p2", "Ready", second * 1000 + 400);
  }
  poll("p1", "Reserved", 31000);
  poll("p1", "Reserved", 32000);
  (*recorder)->Record(Call("POST", "/emulator/v0/reset"), start + Duration(40000));
  poll("p1", "Ready", 41000);
  (*recorder)->Record(Call("POST", "/emulator/v0/faults", R"({"status": 503})"),
                      start + Duration(41000));
  poll("p1", "Ready", 42000);
  poll("p1", "Ready", 43000);
  recorder->reset();  // closes the file

  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string expected =
      "  - emulator.advance: 1000ms\n"
      "  - server.get_payload: {\"payload\":\"p1\"}\n"
      "    times: 30  # the same answer 30 times in 29.0 s (replayed back to back)\n"
      "    expect:\n      status: 200\n      body: {\"result.status.state\":\"Ready\"}\n"
      "  - emulator.advance: 400ms\n"
      "  - server.get_payload: {\"payload\":\"p2\"}\n"
      "    times: 30  # the same answer 30 times in 29.0 s (replayed back to back)\n"
      "    expect:\n      status: 200\n      body: {\"result.status.state\":\"Ready\"}\n"
      "  - emulator.advance: 29600ms\n"
      "  - server.get_payload: {\"payload\":\"p1\"}\n"
      "    times: 2  # the same answer 2 times in 1.0 s (replayed back to back)\n"
      "    expect:\n      status: 200\n      body: {\"result.status.state\":\"Reserved\"}\n"
      "  - emulator.advance: 9000ms\n"
      "  - emulator.reset: null\n"
      "    expect:\n      status: 200\n"
      "  - emulator.advance: 1000ms\n"
      "  - server.get_payload: {\"payload\":\"p1\"}\n"
      "    expect:\n      status: 200\n      body: {\"result.status.state\":\"Ready\"}\n"
      "  - fault.add: {\"status\":503}\n"
      "    expect:\n      status: 200\n"
      "  - emulator.advance: 1000ms\n"
      "  - server.get_payload: {\"payload\":\"p1\"}\n"
      "    expect:\n      status: 200\n      body: {\"result.status.state\":\"Ready\"}\n"
      "  - emulator.advance: 1000ms\n"
      "  - server.get_payload: {\"payload\":\"p1\"}\n"
      "    expect:\n      status: 200\n      body: {\"result.status.state\":\"Ready\"}\n";
  const std::string all = text.str();
  const size_t steps = all.find("steps:\n");
  ASSERT_NE(steps, std::string::npos);
  EXPECT_EQ(all.substr(steps + 7), expected);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace imsemu::scenario
