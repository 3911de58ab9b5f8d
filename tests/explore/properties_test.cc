// Each property judged both ways on observations written by hand: the
// well-behaved server's run breaks none; each broken one breaks exactly its
// property, at the moment it showed.
#include "emulator/explore/properties.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace imsemu::explore {
namespace {

using check::Call;
using check::CallKind;
using check::Observation;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Call At(double ms, CallKind kind) {
  Call c;
  c.at_ms = ms;
  c.kind = kind;
  return c;
}

// Ready at 100 ms, polls every 500 ms, Reserved at 2 s, reads the config,
// sets a status, SIGTERM at 5 s, leaves with 0 at 5.1 s.
Observation WellBehaved() {
  Observation o;
  o.calls.push_back(At(100, CallKind::kReady));
  for (double t = 150; t < 2000; t += 500) o.calls.push_back(At(t, CallKind::kPayloadRead));
  o.reserved_at = 2000;
  Call config = At(2010, CallKind::kConfigRead);
  config.config = R"({"map":"docks-of-the-north"})";
  o.calls.push_back(config);
  Call status = At(2020, CallKind::kStatusSet);
  status.status = {{"phase", "lobby"}, {"map", "docks"}};
  o.calls.push_back(status);
  o.sigterm_at = 5000;
  o.exit = check::Exit{5100, core::ProcessExit::Exited(0)};
  o.ended_at = 5200;
  return o;
}

std::vector<std::string> Broken(const Observation& o) {
  std::vector<std::string> names;
  for (const Violation& v : Violations(o, Limits{})) names.push_back(v.property);
  return names;
}

TEST(PropertiesTest, AWellBehavedRunBreaksNone) {
  EXPECT_THAT(Broken(WellBehaved()), ElementsAre());
  Observation no_sigterm = WellBehaved();
  no_sigterm.sigterm_at.reset();
  no_sigterm.exit.reset();
  EXPECT_THAT(Broken(no_sigterm), ElementsAre()) << "still running, never asked to leave";
  Observation left = WellBehaved();
  left.sigterm_at.reset();
  left.exit = check::Exit{3000, core::ProcessExit::Exited(0)};
  EXPECT_THAT(Broken(left), ElementsAre()) << "exit 0 on its own is not a crash";
}

TEST(PropertiesTest, ACrashBeforeSigterm) {
  Observation o = WellBehaved();
  o.exit = check::Exit{2015, core::ProcessExit::Signaled(11)};
  const std::vector<Violation> v = Violations(o, Limits{});
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].property, "no-crash");
  EXPECT_EQ(v[0].at_ms, 2015);
  EXPECT_THAT(v[0].text, HasSubstr("signal 11 (SIGSEGV)"));
}

TEST(PropertiesTest, LeavingOnSigterm) {
  Observation slow = WellBehaved();
  slow.exit = check::Exit{16000, core::ProcessExit::Exited(0)};
  EXPECT_THAT(Broken(slow), ElementsAre("leaves-on-sigterm"));
  Observation crashed = WellBehaved();
  crashed.exit = check::Exit{5100, core::ProcessExit::Exited(1)};
  EXPECT_THAT(Broken(crashed), ElementsAre("leaves-on-sigterm"));
  Observation stays = WellBehaved();
  stays.exit.reset();
  stays.ended_at = 15000;
  EXPECT_THAT(Broken(stays), ElementsAre("leaves-on-sigterm"));
  stays.ended_at = 9000;
  EXPECT_THAT(Broken(stays), ElementsAre()) << "the grace period has not passed yet";
  Observation by_signal = WellBehaved();
  by_signal.exit = check::Exit{5100, core::ProcessExit::Signaled(15)};
  EXPECT_THAT(Broken(by_signal), ElementsAre()) << "SIGTERM's own end is leaving";
}

TEST(PropertiesTest, ReadyInTimeCountsFromTheApiComingBack) {
  Observation late;
  late.calls.push_back(At(12000, CallKind::kReady));
  late.ended_at = 20000;
  EXPECT_THAT(Broken(late), ElementsAre("ready-in-time"));
  late.api_up_at = 4000;  // an outage ended at 4 s
  EXPECT_THAT(Broken(late), ElementsAre());
  Observation never;
  never.ended_at = 9000;
  EXPECT_THAT(Broken(never), ElementsAre()) << "judged once the deadline has passed";
}

TEST(PropertiesTest, PolitePolling) {
  Observation busy = WellBehaved();
  for (double t = 500; t < 600; t += 4) busy.calls.push_back(At(t, CallKind::kPayloadRead));
  std::sort(busy.calls.begin(), busy.calls.end(),
            [](const Call& a, const Call& b) { return a.at_ms < b.at_ms; });
  EXPECT_THAT(Broken(busy), ElementsAre("polite-polling"));
}

TEST(PropertiesTest, ConfigOnlyWhenReserved) {
  Observation early = WellBehaved();
  early.calls.insert(early.calls.begin() + 1, At(300, CallKind::kConfigRead));
  EXPECT_THAT(Broken(early), ElementsAre("config-only-when-reserved"));
}

TEST(PropertiesTest, StatusRules) {
  Observation refused = WellBehaved();
  check::Refusal r;
  r.at_ms = 2030;
  r.kind = CallKind::kStatusSet;
  r.method = "POST";
  r.path = "/api/v0/session-manager/status";
  r.status = 400;
  r.message = "session status value of 'players' must be a string";
  refused.refused.push_back(r);
  const std::vector<Violation> v = Violations(refused, Limits{});
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].property, "status-accepted");
  EXPECT_THAT(v[0].text, HasSubstr("must be a string"));

  Observation injected = refused;
  injected.refused.back().status = 502;
  injected.refused.back().message = kInjectedMessage;
  EXPECT_THAT(Broken(injected), ElementsAre()) << "an error the run injected is not the server's";

  Observation echo = WellBehaved();
  echo.calls.back().status["map"] = "docks-of-the-north";
  EXPECT_THAT(Broken(echo), ElementsAre("no-config-echo"));

  Observation big = WellBehaved();
  big.calls.back().status["notes"] = std::string(5000, 'n');
  EXPECT_THAT(Broken(big), ElementsAre("status-size"));
}

TEST(PropertiesTest, SeveralBrokenComeEarliestFirst) {
  Observation o = WellBehaved();
  o.calls.back().status["map"] = "docks-of-the-north";  // at 2020
  o.exit = check::Exit{5100, core::ProcessExit::Exited(1)};
  const std::vector<Violation> v = Violations(o, Limits{});
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].property, "no-config-echo");
  EXPECT_EQ(v[1].property, "leaves-on-sigterm");
}

}  // namespace
}  // namespace imsemu::explore
