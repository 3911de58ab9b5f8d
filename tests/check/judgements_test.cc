// Each check judgement on observations written by hand: the good one passes,
// and every broken one the probe claims to catch fails, saying why. No
// process, no emulator, no waiting.
#include "emulator/check/judgements.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "emulator/check/check_cases.h"

namespace imsemu::check {
namespace {

using core::ProcessExit;
using ::testing::HasSubstr;

nlohmann::json Defaults(const char* probe) { return Probes().at(probe).defaults; }

Call At(double ms, CallKind kind) {
  Call c;
  c.at_ms = ms;
  c.kind = kind;
  return c;
}
Call StatusAt(double ms, core::StringMap status) {
  Call c = At(ms, CallKind::kStatusSet);
  c.status = std::move(status);
  return c;
}
Exit ExitAt(double ms, ProcessExit how) { return Exit{ms, how}; }
// `seen`, with its process ended at `ms` as `how`.
Observation Ended(Observation seen, double ms, ProcessExit how) {
  seen.exit = ExitAt(ms, how);
  return seen;
}

// A server that got Ready at 100 ms, was Reserved at 3 s, read its config at
// 3.1 s and set a small status at 3.2 s: the shape most cases start from.
Observation InASession() {
  Observation o;
  o.calls = {At(50, CallKind::kPayloadRead), At(100, CallKind::kReady),
             At(300, CallKind::kPayloadRead), At(3100, CallKind::kConfigRead),
             StatusAt(3200, {{"phase", "lobby"}})};
  o.reserved_at = 3000;
  o.ended_at = 3500;
  return o;
}

TEST(JudgeStartTest, ReadyPassesAndAnExitOrSilenceFailsNamingHowItLeft) {
  EXPECT_TRUE(JudgeStart(InASession(), 10).passed);
  Observation exited;
  exited.exit = ExitAt(40, ProcessExit::Exited(3));
  Verdict v = JudgeStart(exited, 10);
  EXPECT_FALSE(v.passed);
  EXPECT_THAT(v.text, HasSubstr("exited before Ready, 40 ms after it started (exit code 3)"));
  Observation silent;
  silent.ended_at = 10000;
  EXPECT_EQ(JudgeStart(silent, 10).text, "not Ready within 10.0 s of starting");
  Observation missing;
  missing.exit = ExitAt(1, ProcessExit::NotStarted());
  EXPECT_THAT(JudgeStart(missing, 10).text, HasSubstr("cannot start"));
}

TEST(JudgeReadyTest, LateOrGoneFails) {
  EXPECT_TRUE(JudgeReady(InASession(), Defaults("ready")).passed);
  Observation late;
  late.calls = {At(12000, CallKind::kReady)};
  EXPECT_THAT(JudgeReady(late, Defaults("ready")).text, HasSubstr("Ready only 12.0 s"));
  Observation mono;
  mono.exit = ExitAt(200, ProcessExit::Exited(255));
  // As it was: a code of 255, not "signal 127".
  EXPECT_EQ(JudgeReady(mono, Defaults("ready")).text, "exited before Ready (exit code 255)");
}

TEST(JudgeLateApiTest, RetryingPassesGivingUpFails) {
  Observation retried;
  retried.api_up_at = 2000;
  retried.faults_fired = 3;
  retried.calls = {At(2500, CallKind::kReady)};
  Verdict v = JudgeLateApi(retried, Defaults("late_api"));
  EXPECT_TRUE(v.passed) << v.text;
  EXPECT_THAT(v.text, HasSubstr("through 3 answers of 500"));
  Observation gave_up;
  gave_up.api_up_at = 2000;
  gave_up.exit = ExitAt(30, ProcessExit::Exited(3));
  EXPECT_THAT(JudgeLateApi(gave_up, Defaults("late_api")).text,
              HasSubstr("gave up: exited (exit code 3)"));
  Observation never;
  never.api_up_at = 2000;
  EXPECT_FALSE(JudgeLateApi(never, Defaults("late_api")).passed);
}

TEST(JudgePollingTest, SaneRatePassesTightRareOrEarlyFails) {
  Observation good = InASession();
  good.watch_from = 100;
  good.watch_to = 2100;
  good.reserved_at = 2200;
  good.calls = {At(100, CallKind::kReady)};
  for (int ms = 200; ms < 2100; ms += 200) good.calls.push_back(At(ms, CallKind::kPayloadRead));
  good.calls.push_back(At(2300, CallKind::kPayloadRead));
  EXPECT_TRUE(JudgePolling(good, Defaults("polling")).passed)
      << JudgePolling(good, Defaults("polling")).text;

  Observation tight = good;
  for (int i = 0; i < 500; ++i) tight.calls.push_back(At(500 + i, CallKind::kPayloadRead));
  EXPECT_THAT(JudgePolling(tight, Defaults("polling")).text, HasSubstr("a tight loop"));

  Observation rare = good;
  std::erase_if(rare.calls,
                [](const Call& c) { return c.kind == CallKind::kPayloadRead && c.at_ms < 2100; });
  EXPECT_THAT(JudgePolling(rare, Defaults("polling")).text, HasSubstr("too rarely"));

  Observation early = good;
  early.calls.push_back(At(1000, CallKind::kConfigRead));
  EXPECT_EQ(JudgePolling(early, Defaults("polling")).text,
            "read the session config before it was Reserved");

  Observation blind = good;
  blind.calls.pop_back();
  EXPECT_THAT(JudgePolling(blind, Defaults("polling")).text,
              HasSubstr("did not look at its payload"));

  Observation crashed = good;
  crashed.exit = ExitAt(1500, ProcessExit::Signaled(11));
  EXPECT_THAT(JudgePolling(crashed, Defaults("polling")).text, HasSubstr("signal 11 (SIGSEGV)"));
}

TEST(JudgeConfigAndStatusTest, ReadThenSetPassesAnythingLessFails) {
  EXPECT_TRUE(JudgeConfigAndStatus(InASession(), Defaults("config_and_status")).passed);
  Observation unread = InASession();
  unread.calls.erase(unread.calls.begin() + 3);
  EXPECT_THAT(JudgeConfigAndStatus(unread, Defaults("config_and_status")).text,
              HasSubstr("did not read the session config"));
  Observation before = InASession();
  before.calls.back().at_ms = 2000;  // its status was set only before the session
  EXPECT_THAT(JudgeConfigAndStatus(before, Defaults("config_and_status")).text,
              HasSubstr("set no status after it"));
  Observation crashed = InASession();
  crashed.exit = ExitAt(3300, ProcessExit::Exited(1));
  const Verdict left = JudgeConfigAndStatus(crashed, Defaults("config_and_status"));
  EXPECT_THAT(left.text, HasSubstr("exit code 1"));
  EXPECT_EQ(left.cause, "it exited (exit code 1) after reading its session config");
  Observation refused = InASession();
  refused.reserved_at.reset();
  refused.reservation_error = "no Ready payload is free";
  EXPECT_THAT(JudgeConfigAndStatus(refused, Defaults("config_and_status")).text,
              HasSubstr("cannot create a session: no Ready payload is free"));
}

TEST(JudgeHostileConfigsTest, AnyNonZeroExitOrSignalFailsNamingTheConfigAndHow) {
  const nlohmann::json params = Defaults("hostile_configs");
  EXPECT_TRUE(JudgeHostileConfigs({{"not json", InASession()}}, params).passed);
  Observation python = InASession();
  python.exit = ExitAt(3150, ProcessExit::Exited(1));  // an uncaught exception
  Verdict v = JudgeHostileConfigs({{"[]", InASession()}, {"not json", python}}, params);
  EXPECT_FALSE(v.passed);
  EXPECT_THAT(v.text, HasSubstr("left with exit code 1 on config 2 of 2 'not json'"));
  Observation crashed = InASession();
  crashed.exit = ExitAt(3150, ProcessExit::Signaled(6));
  EXPECT_THAT(JudgeHostileConfigs({{"", crashed}}, params).text, HasSubstr("signal 6 (SIGABRT)"));
  Observation clean = InASession();
  clean.exit = ExitAt(3150, ProcessExit::Exited(0));
  EXPECT_TRUE(JudgeHostileConfigs({{"", clean}}, params).passed)
      << "leaving with 0 ends the session";
  EXPECT_THAT(JudgeHostileConfigs({}, params).text, HasSubstr("tests nothing"));
  Observation deaf = InASession();
  deaf.calls.erase(deaf.calls.begin() + 3);
  EXPECT_THAT(JudgeHostileConfigs({{"x", deaf}}, params).text, HasSubstr("tested nothing"));
  EXPECT_THAT(JudgeHostileConfigs({{"x", Ended(deaf, 3050, ProcessExit::Exited(0))}}, params).text,
              HasSubstr("tested nothing"))
      << "leaving with 0 before reading the config is no answer";
}

TEST(JudgeHostileConfigsTest, AnEchoOfAnyPartOrAnOversizedStatusFails) {
  const nlohmann::json params = Defaults("hostile_configs");
  const std::string injection = R"({"map": "'; DROP TABLE sessions; -- <script>"})";
  Observation copied = InASession();
  copied.calls.push_back(
      StatusAt(3300, {{"phase", "lobby"}, {"map", "'; DROP TABLE sessions; -- <script>"}}));
  Verdict v = JudgeHostileConfigs({{injection, copied}}, params);
  EXPECT_FALSE(v.passed);
  EXPECT_THAT(v.text, HasSubstr("echoed ''; DROP TABLE sessions; -- <script>'"));
  EXPECT_THAT(v.text, HasSubstr("into its status (map)"));

  // A decoded string value counts too, not only the raw text.
  Observation decoded = InASession();
  decoded.calls.push_back(StatusAt(3300, {{"map", "caf\xc3\xa9 on the hill"}}));
  EXPECT_FALSE(
      JudgeHostileConfigs({{R"({"map": "caf\u00e9 on the hill"})", decoded}}, params).passed);

  Observation huge = InASession();
  huge.calls.push_back(StatusAt(3300, {{"players", std::string(5000, 'p')}}));
  EXPECT_THAT(JudgeHostileConfigs({{"{}", huge}}, params).text,
              HasSubstr("set a status of 5007 bytes (over 4096)"));
}

TEST(FindEchoTest, EightCharactersFromTheConfigAreAnEchoFewerAreNot) {
  EXPECT_FALSE(FindEcho({{"map", "docks"}}, R"({"map": "docks"})")) << "too short to mean a copy";
  EXPECT_FALSE(FindEcho({{"phase", "lobby"}}, std::string(262000, 'x')));
  auto echo =
      FindEcho({{"map", "xxxxxxxxxxxx"}}, "{\"map\": \"" + std::string(262000, 'x') + "\"}");
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->key, "map");
  EXPECT_EQ(echo->part, "xxxxxxxxxxxx");
  EXPECT_TRUE(FindEcho({{"n", "1234567890123"}}, "12345678901234567890123456789"));
  EXPECT_FALSE(FindEcho({{"n", "1234567"}}, "12345678901234567890123456789"));
  // A deeply nested config is walked without recursion.
  EXPECT_FALSE(FindEcho({{"phase", "lobby"}}, std::string(100000, '[') + std::string(100000, ']')));
}

TEST(JudgeStatusEtiquetteTest, SmallAndRarePassesLargeFrequentOrNullFails) {
  const nlohmann::json params = Defaults("status_etiquette");
  Observation good = InASession();
  good.watch_from = 3300;
  good.watch_to = 5300;
  good.calls.push_back(StatusAt(4000, {{"phase", "playing"}}));
  EXPECT_TRUE(JudgeStatusEtiquette(good, params).passed);

  Observation big = good;
  big.calls.push_back(StatusAt(4500, {{"players", std::string(102400, 'p')}}));
  EXPECT_THAT(JudgeStatusEtiquette(big, params).text, HasSubstr("set a status of 102407 bytes"));

  Observation flood = good;
  for (int ms = 3300; ms < 5300; ms += 50) flood.calls.push_back(StatusAt(ms, {{"tick", "1"}}));
  EXPECT_THAT(JudgeStatusEtiquette(flood, params).text, HasSubstr("times in 2.0 s"));

  Observation nulls = good;
  core::Event e;
  e.kind = core::EventKind::kSessionStatusNull;
  nulls.journal.push_back(e);
  EXPECT_EQ(JudgeStatusEtiquette(nulls, params).text,
            "sent null status values: values are strings");

  Observation silent = good;
  std::erase_if(silent.calls, [](const Call& c) { return c.kind == CallKind::kStatusSet; });
  EXPECT_THAT(JudgeStatusEtiquette(silent, params).text, HasSubstr("tested nothing"));
}

TEST(JudgeSigtermTest, LeavingWithZeroOrBySigtermPassesACrashOrStayingFails) {
  const nlohmann::json params = Defaults("sigterm");
  Observation o = InASession();
  o.sigterm_at = 4000;
  const Observation clean = Ended(o, 4100, ProcessExit::Exited(0));
  EXPECT_EQ(JudgeSigterm(clean, params).text,
            "left 100 ms after SIGTERM with exit code 0, within the grace period of 10.0 s");
  const Observation by_signal = Ended(o, 4010, ProcessExit::Signaled(15));
  EXPECT_TRUE(JudgeSigterm(by_signal, params).passed);
  const Observation by_shell = Ended(o, 4010, ProcessExit::Exited(143));
  EXPECT_TRUE(JudgeSigterm(by_shell, params).passed);

  const Observation python = Ended(o, 4050, ProcessExit::Exited(1));
  EXPECT_THAT(JudgeSigterm(python, params).text,
              HasSubstr("with exit code 1: that is a crash, not leaving on SIGTERM"));
  const Observation aborted = Ended(o, 4050, ProcessExit::Signaled(6));
  EXPECT_FALSE(JudgeSigterm(aborted, params).passed);
  Observation deaf = o;
  EXPECT_THAT(JudgeSigterm(deaf, params).text, HasSubstr("still running 10.0 s after SIGTERM"));
  const Observation in_grace = Ended(o, 12000, ProcessExit::Exited(0));  // 8 s: serve waits too
  EXPECT_TRUE(JudgeSigterm(in_grace, params).passed);
  const Observation slow = Ended(o, 14100, ProcessExit::Exited(0));
  EXPECT_THAT(JudgeSigterm(slow, params).text, HasSubstr("over the grace period"));
  const Observation early = Ended(o, 3900, ProcessExit::Exited(0));
  EXPECT_THAT(JudgeSigterm(early, params).text, HasSubstr("before SIGTERM was sent"));
  EXPECT_THAT(JudgeSigterm(InASession(), params).text, HasSubstr("tested nothing"));
  // Dying of its config is that, not a failure to leave: said, with the cause.
  const Verdict died = JudgeSigterm(Ended(InASession(), 3300, ProcessExit::Exited(2)), params);
  EXPECT_EQ(died.text,
            "it exited (exit code 2) after reading its session config, before SIGTERM was sent: "
            "it left on its own, not when asked");
  EXPECT_EQ(died.cause, "it exited (exit code 2) after reading its session config");
  Observation unread = InASession();
  unread.calls.erase(unread.calls.begin() + 3);  // no config read
  const Verdict left = JudgeSigterm(Ended(unread, 3300, ProcessExit::Exited(2)), params);
  EXPECT_EQ(left.text,
            "exited before SIGTERM was sent (exit code 2): it left on its own, not when asked");
  EXPECT_EQ(left.cause, "");
}

// A call the emulator refused, as the listeners saw it.
Refusal RefusedAt(double ms, CallKind kind, int status, std::string message) {
  Refusal r;
  r.at_ms = ms;
  r.kind = kind;
  r.method = "POST";
  r.path = "/api/v0/session-manager/status";
  r.status = status;
  r.message = std::move(message);
  return r;
}

// A server that read its config and tried to set {"players": 0}: refused.
Observation RefusedStatus() {
  Observation o = InASession();
  o.calls.pop_back();
  o.refused = {RefusedAt(3200, CallKind::kStatusSet, 400,
                         "session status value of 'players' must be a string, got number")};
  return o;
}

TEST(RefusedCallsTest, ARefusedStatusIsNamedAsTheCauseNotAsSilence) {
  const Verdict set = JudgeConfigAndStatus(RefusedStatus(), Defaults("config_and_status"));
  EXPECT_FALSE(set.passed);
  EXPECT_THAT(set.text, HasSubstr("read the session config, but its 1 attempt to set a status was "
                                  "refused: 400 session status value of 'players' must be a "
                                  "string, got number"));
  EXPECT_EQ(set.cause,
            "its status was refused: 400 session status value of 'players' must be a string, got "
            "number");
  // The etiquette case says why it tested nothing, and gives the same cause.
  const Verdict etiquette = JudgeStatusEtiquette(RefusedStatus(), Defaults("status_etiquette"));
  EXPECT_THAT(etiquette.text,
              HasSubstr("set no status: its 1 attempt to set a status was refused"));
  EXPECT_THAT(etiquette.text, HasSubstr("so the case tested nothing"));
  EXPECT_EQ(etiquette.cause, set.cause);
  // Evidence lists the refused call with its status and message.
  EXPECT_THAT(RefusedStatus().Evidence(),
              ::testing::Contains(HasSubstr("set status refused: 400 session status value of "
                                            "'players' must be a string")));
  EXPECT_THAT(RefusedStatus().Evidence().front(), HasSubstr("refused x1"));
}

TEST(RefusedCallsTest, TestedNothingAlwaysSaysWhy) {
  const nlohmann::json params = Defaults("status_etiquette");
  Observation died = InASession();
  died.calls.pop_back();
  died.exit = ExitAt(3150, ProcessExit::Exited(1));
  const Verdict v = JudgeStatusEtiquette(died, params);
  EXPECT_EQ(v.text,
            "set no status: it exited (exit code 1) after reading its session config, so "
            "the case tested nothing");
  EXPECT_EQ(v.cause, "it exited (exit code 1) after reading its session config");
  Observation unread = InASession();
  unread.calls.erase(unread.calls.begin() + 3, unread.calls.end());
  EXPECT_THAT(JudgeStatusEtiquette(unread, params).text,
              HasSubstr("set no status: it did not read its session config within 10.0 s"));
  Observation silent = InASession();
  silent.calls.pop_back();
  const Verdict quiet = JudgeStatusEtiquette(silent, params);
  EXPECT_THAT(quiet.text, HasSubstr("set no status within 10.0 s of reading its session config"));
  EXPECT_EQ(quiet.cause, "");  // nothing the server did: no cause to share
}

TEST(JudgeMatchEndTest, ExitZeroPassesAnythingElseFails) {
  const nlohmann::json params = Defaults("match_end");
  Observation o = InASession();
  o.match_ended_at = 4000;
  const Observation good = Ended(o, 4200, ProcessExit::Exited(0));
  EXPECT_TRUE(JudgeMatchEnd(good, params).passed);
  const Observation bad = Ended(o, 4200, ProcessExit::Exited(2));
  EXPECT_THAT(JudgeMatchEnd(bad, params).text, HasSubstr("left with exit code 2"));
  EXPECT_THAT(JudgeMatchEnd(o, params).text, HasSubstr("still running"));
}

TEST(ExcerptTest, HostileBytesBecomeTextAndACutNeverSplitsACharacter) {
  using namespace std::string_literals;
  EXPECT_EQ(Excerpt("the map\0\x1b[2J"s), "'the map\\x00\\x1b[2J'");
  EXPECT_EQ(Excerpt("\xed\xa0\x80 map"), "'\\xed\\xa0\\x80 map'");
  EXPECT_EQ(Excerpt("ééé", 3), "'é'... (6 bytes)");
  Observation o = InASession();
  core::Event e;
  e.kind = core::EventKind::kSessionStatus;
  e.detail = "{map: \"\0\xff\"}"s;
  o.journal.push_back(e);
  EXPECT_THAT(o.Evidence(), ::testing::Contains(HasSubstr("{map: \"\\x00\\xff\"}")));
}

TEST(ObservationTest, EvidenceSaysHowTheProcessEnded) {
  Observation o = InASession();
  o.exit = ExitAt(3300, ProcessExit::Signaled(9));
  std::vector<std::string> evidence = o.Evidence();
  EXPECT_THAT(evidence.front(), HasSubstr("ready x1"));
  EXPECT_THAT(evidence,
              ::testing::Contains(HasSubstr("process: ended +3.3 s with signal 9 (SIGKILL)")));
}

}  // namespace
}  // namespace imsemu::check
