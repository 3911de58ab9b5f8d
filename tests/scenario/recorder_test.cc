// The recorder's pure functions: which call becomes which step, what is left
// out (reads), and what is written as a "not replayed" comment (a call that
// changes the world and that no step replays), never dropped in silence.
#include "emulator/scenario/recorder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

TEST(RecorderTest, ControlCallsThatChangeTheWorldBecomeSteps) {
  EXPECT_EQ(Step(Call("POST", "/emulator/v0/reset"))->kind, "emulator.reset");
  EXPECT_EQ(Step(Call("DELETE", "/emulator/v0/faults"))->kind, "fault.clear");
  auto fault = Step(Call("POST", "/emulator/v0/faults", R"({"status": 503})"));
  EXPECT_EQ(fault->kind, "fault.add");
  EXPECT_EQ(fault->params["status"], 503);
  EXPECT_EQ(Step(Call("POST", "/emulator/v0/snapshots/a"))->kind, "emulator.snapshot");
  EXPECT_EQ(Step(Call("POST", "/emulator/v0/snapshots/a/restore"))->kind, "emulator.restore");
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

}  // namespace
}  // namespace imsemu::scenario
