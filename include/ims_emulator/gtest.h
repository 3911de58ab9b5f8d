// The GoogleTest harness: a fresh emulator per test, the three clients, time
// control, waits, the journal on failure, gMock observers and matchers, and
// scenario files.
//
//   class MatchTest : public imsemu_testing::EmulatorTest {};
//   TEST_F(MatchTest, ClientSeesTheStatus) {
//     ASSERT_OK_AND_ASSIGN(auto session, session_manager().CreateSession("default", "dust"));
//     imsemu::PayloadClient server = payload(session.id);
//     EXPECT_THAT(server.GetPayload(), imsemu_testing::PayloadInState("Reserved"));
//     ASSERT_OK(server.SetStatus({{"phase", "lobby"}}));
//     ASSERT_TRUE(WaitForClientsToSee(session.id, "phase", "lobby"));
//   }
//
// Link ims_emulator::gtest. Each test gets its own emulator (virtual clock,
// port 0 on 127.0.0.1, :memory:), so tests run in parallel; with
// IMS_EMULATOR_URL set (as `ims-emulator exec` sets it) every test runs
// against that emulator instead, reset before each test.
//
// The namespace is imsemu_testing, not imsemu::testing, so that
// `using namespace imsemu;` never makes GoogleTest's `testing::` ambiguous.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ims_emulator/clients.h"
#include "ims_emulator/emulator.h"
#include "ims_emulator/observer.h"

namespace imsemu_testing {

// What game servers do, for EXPECT_CALL:
//   EXPECT_CALL(game_servers(), OnStatusSet(id, Contains(Pair("phase", "lobby"))));
// Called from the emulator's server threads, at the same time for different
// payloads (gMock mocks are thread-safe): set expectations before the game
// servers run (EmulatorTest::StartsInSetUp).
class MockGameServerObserver : public ::imsemu::GameServerObserver {
 public:
  MOCK_METHOD(void, OnPayloadRead, (const std::string& payload_id, const std::string& state),
              (override));
  MOCK_METHOD(void, OnReady, (const std::string& payload_id), (override));
  MOCK_METHOD(void, OnLabelSet,
              (const std::string& payload_id, const std::string& key, const std::string& value),
              (override));
  MOCK_METHOD(void, OnAnnotationSet,
              (const std::string& payload_id, const std::string& key, const std::string& value),
              (override));
  MOCK_METHOD(void, OnConfigRead,
              (const std::string& payload_id, const std::optional<std::string>& config),
              (override));
  MOCK_METHOD(void, OnStatusRead, (const std::string& payload_id), (override));
  MOCK_METHOD(void, OnStatusSet, (const std::string& payload_id, const ::imsemu::StringMap& status),
              (override));
};

// What game clients do at the Session Manager, for EXPECT_CALL:
//   EXPECT_CALL(game_clients(), OnSessionCreated(_, "ranked", Optional(HasSubstr("dust")), _));
class MockGameClientObserver : public ::imsemu::GameClientObserver {
 public:
  MOCK_METHOD(void, OnSessionCreated,
              (const std::string& project, const std::string& session_type,
               const std::optional<std::string>& config, const std::string& payload_id),
              (override));
  MOCK_METHOD(void, OnSessionsListed,
              (const std::string& project, const std::string& session_type, int count), (override));
};

// How long a wait may take. Under the virtual clock a wait moves the clock
// to each next armed deadline (a timer, or a status-cache refresh that
// changes what clients see), at most `virtual_time` in all; when nothing is
// armed and a real game server may act, it polls in real time, at most
// `real_time`.
// A wait in a world where nothing can change what it waits for (the
// virtual clock, nothing armed within the wait, no allocation that runs a
// game-server process) fails at once, saying so.
struct WaitLimits {
  std::chrono::milliseconds virtual_time = std::chrono::minutes(10);
  std::chrono::milliseconds real_time = std::chrono::seconds(30);
  std::chrono::milliseconds poll_every{5};
  // A game server the emulator does not start (a thread or process of the
  // test's own) may act while the wait polls: wait up to real_time for it.
  // EmulatorTest's waits set it when attached to IMS_EMULATOR_URL.
  bool outside_game_servers = false;
};

// Waits until `done` holds for the world's state (see WaitLimits). Fails
// with `what`, how far the clock moved and what the state was at the end:
//   ASSERT_TRUE(WaitUntil(control, "two Ready payloads",
//       [](const imsemu::WorldState& w) { return w.CountInState("Ready") == 2; }));
::testing::AssertionResult WaitUntil(::imsemu::ControlClient& control, const std::string& what,
                                     const std::function<bool(const ::imsemu::WorldState&)>& done,
                                     const WaitLimits& limits = {});
// A payload reaches `state` ("Ready", "Reserved", ...).
::testing::AssertionResult WaitForPayloadState(::imsemu::ControlClient& control,
                                               const std::string& payload_id,
                                               const std::string& state,
                                               const WaitLimits& limits = {});
// Game clients see a session's status key = value in List Sessions (after
// the status cache).
::testing::AssertionResult WaitForClientsToSee(::imsemu::ControlClient& control,
                                               const std::string& session_id,
                                               const std::string& key, const std::string& value,
                                               const WaitLimits& limits = {});

class EmulatorTest : public ::testing::Test {
 protected:
  // The emulator each test gets; override to choose the world and options.
  // Attached to IMS_EMULATOR_URL, the world is that emulator's (give `exec`
  // the same --fixture) and only the observers are taken from here.
  virtual ::imsemu::EmulatorConfig Config() const { return {}; }
  // Whether SetUp() starts the emulator. Return false to set expectations
  // on game_servers() and game_clients() first (gMock requires them before
  // the calls, and a real game server calls as soon as it starts), then call
  // ASSERT_NO_FATAL_FAILURE(StartEmulator()) in the test (or just use an
  // accessor below: the first use starts it).
  virtual bool StartsInSetUp() const { return true; }

  void SetUp() override;
  // Judges the expectations on game_servers() and game_clients() (calls
  // after this are not counted); on a failed test, adds the emulator's
  // journal to the failures (so it is in --gtest_output=xml too); then
  // stops the emulator.
  void TearDown() override;
  // Starts the emulator (once): in-process, or attached to IMS_EMULATOR_URL.
  void StartEmulator();

  // Whether this test runs (or, before StartEmulator(), will run) against
  // an emulator given by IMS_EMULATOR_URL.
  bool attached() const;
  // Each of these starts the emulator if it has not started; if it cannot
  // start, the test fails with why (and an exception ends the test body).
  ::imsemu::Emulator& emulator();
  // The Session Manager of the world's first project (by id, as
  // Emulator::ProjectIds() sorts them; IMS_EMULATOR_PROJECT when attached),
  // as a game client.
  ::imsemu::SessionManagerClient& session_manager();
  ::imsemu::ControlClient& control();
  // Every game server's and game client's calls to this test's emulator
  // (NiceMocks: calls nobody expects are allowed). In-process only: an
  // attached emulator cannot tell them (the test fails saying so).
  ::testing::NiceMock<MockGameServerObserver>& game_servers();
  ::testing::NiceMock<MockGameClientObserver>& game_clients();
  // A game server's view of `payload_id`'s Payload Local API.
  ::imsemu::PayloadClient payload(const std::string& payload_id);
  // Moves the virtual clock (fails the test if it cannot).
  void Advance(std::chrono::milliseconds d);
  // Moves the clock just past the Session Manager's status cache, so List
  // Sessions shows every status set before.
  void AdvancePastStatusCache();
  // The waits above, on this test's emulator.
  ::testing::AssertionResult WaitUntil(const std::string& what,
                                       const std::function<bool(const ::imsemu::WorldState&)>& done,
                                       const WaitLimits& limits = {});
  ::testing::AssertionResult WaitForPayloadState(const std::string& payload_id,
                                                 const std::string& state,
                                                 const WaitLimits& limits = {});
  ::testing::AssertionResult WaitForClientsToSee(const std::string& session_id,
                                                 const std::string& key, const std::string& value,
                                                 const WaitLimits& limits = {});

 private:
  ::testing::NiceMock<MockGameServerObserver> game_servers_;
  ::testing::NiceMock<MockGameClientObserver> game_clients_;
  std::unique_ptr<::imsemu::Emulator> emulator_;
  std::unique_ptr<::imsemu::SessionManagerClient> session_manager_;
  std::unique_ptr<::imsemu::ControlClient> control_;
  std::chrono::milliseconds cache_ttl_{0};
  bool attached_ = false;

  void EnsureStarted();
  WaitLimits WithOutsiders(WaitLimits limits) const;
};

// Runs a scenario file (ims-emulator's YAML format) on an emulator of its
// own; the failure message is the scenario's report.
::testing::AssertionResult ScenarioPasses(const std::string& file);

// The Status of a Status or a StatusOr.
inline const ::imsemu::Status& StatusOf(const ::imsemu::Status& s) { return s; }
template <typename T>
const ::imsemu::Status& StatusOf(const ::imsemu::StatusOr<T>& s) {
  return s.status();
}

// GoogleTest prints the actual value itself ("Actual: NOT_FOUND: ..."), so
// these matchers explain only what the value does not show: each value is
// printed once.
MATCHER(IsOk, "is OK") { return StatusOf(arg).ok(); }

MATCHER_P(StatusIs, code, std::string("has status ") + ::imsemu::StatusCodeName(code)) {
  return StatusOf(arg).code() == code;
}

// The code and a matcher of the message (as abseil's):
//   EXPECT_THAT(server.SetLabel("_x", "y"), StatusIs(StatusCode::kInvalidArgument,
//                                                    HasSubstr("key")));
MATCHER_P2(StatusIs, code, message_matcher,
           std::string("has status ") + ::imsemu::StatusCodeName(code) + " and a message that " +
               ::testing::DescribeMatcher<std::string>(message_matcher)) {
  const ::imsemu::Status& s = StatusOf(arg);
  return s.code() == code && ::testing::Matches(::testing::SafeMatcherCast<const std::string&>(
                                 message_matcher))(s.message());
}

// A StatusOr<PayloadInfo> that holds a payload in `state`.
MATCHER_P(PayloadInState, state, "is a payload in state " + std::string(state)) {
  if (!arg.ok()) {
    *result_listener << "is an error";
    return false;
  }
  *result_listener << "is in state " << arg->state;
  return arg->state == state;
}

// A SessionInfo whose session status has `key` = `value`.
MATCHER_P2(SessionWithStatus, key, value,
           "is a session whose status has " + std::string(key) + "=" + std::string(value)) {
  auto it = arg.session_status.find(key);
  if (it == arg.session_status.end()) {
    *result_listener << "session " << arg.id << " has no status " << key;
    return false;
  }
  *result_listener << "session " << arg.id << " has " << key << "=" << it->second;
  return it->second == value;
}

// A StatusOr<std::vector<SessionInfo>> whose sessions match `matcher`.
MATCHER_P(HoldsSessions, matcher,
          "holds sessions that " +
              ::testing::DescribeMatcher<std::vector<::imsemu::SessionInfo>>(matcher)) {
  if (!arg.ok()) {
    *result_listener << "is an error";
    return false;
  }
  return ::testing::ExplainMatchResult(matcher, *arg, result_listener);
}

// A StatusOr that is OK and whose value matches `matcher` (as abseil's):
//   EXPECT_THAT(server.GetConfig(), IsOkAndHolds(Optional(HasSubstr("dust"))));
template <typename StatusOrT>
class IsOkAndHoldsMatcher : public ::testing::MatcherInterface<StatusOrT> {
 public:
  using Value = typename std::remove_cv_t<std::remove_reference_t<StatusOrT>>::value_type;

  template <typename InnerMatcher>
  explicit IsOkAndHoldsMatcher(InnerMatcher&& inner)
      : inner_(::testing::SafeMatcherCast<const Value&>(std::forward<InnerMatcher>(inner))) {}

  void DescribeTo(std::ostream* os) const override {
    *os << "is OK and holds a value that ";
    inner_.DescribeTo(os);
  }
  void DescribeNegationTo(std::ostream* os) const override {
    *os << "is an error, or holds a value that ";
    inner_.DescribeNegationTo(os);
  }
  bool MatchAndExplain(StatusOrT actual, ::testing::MatchResultListener* listener) const override {
    if (!actual.ok()) {
      *listener << "which is an error";
      return false;
    }
    return inner_.MatchAndExplain(*actual, listener);
  }

 private:
  ::testing::Matcher<const Value&> inner_;
};

template <typename InnerMatcher>
class IsOkAndHoldsGenerator {
 public:
  explicit IsOkAndHoldsGenerator(InnerMatcher inner) : inner_(std::move(inner)) {}
  template <typename StatusOrT>
  operator ::testing::Matcher<StatusOrT>() const {  // NOLINT: a matcher of any StatusOr
    return ::testing::Matcher<StatusOrT>(new IsOkAndHoldsMatcher<const StatusOrT&>(inner_));
  }

 private:
  InnerMatcher inner_;
};

template <typename InnerMatcher>
IsOkAndHoldsGenerator<InnerMatcher> IsOkAndHolds(InnerMatcher inner) {
  return IsOkAndHoldsGenerator<InnerMatcher>(std::move(inner));
}

}  // namespace imsemu_testing

// GoogleTest prints these as their fields, not as bytes (found by ADL).
namespace imsemu {

template <typename T>
void PrintTo(const StatusOr<T>& s, std::ostream* os) {
  if (!s.ok()) {
    *os << s.status();
    return;
  }
  *os << "OK: " << ::testing::PrintToString(*s);
}
inline void PrintTo(const NamedPort& p, std::ostream* os) { *os << p.name << "=" << p.port; }
inline void PrintTo(const CreatedSession& s, std::ostream* os) {
  *os << "{id: " << s.id << ", address: " << s.address
      << ", ports: " << ::testing::PrintToString(s.ports) << "}";
}
inline void PrintTo(const SessionInfo& s, std::ostream* os) {
  *os << "{id: " << s.id << ", address: " << s.address
      << ", ports: " << ::testing::PrintToString(s.ports)
      << ", session_status: " << ::testing::PrintToString(s.session_status) << "}";
}
inline void PrintTo(const PayloadInfo& p, std::ostream* os) {
  *os << "{id: " << p.id << ", allocation_id: " << p.allocation_id << ", state: " << p.state;
  if (!p.details.empty()) *os << " (" << p.details << ")";
  *os << ", address: " << p.address << ", ports: " << ::testing::PrintToString(p.ports)
      << ", labels: " << ::testing::PrintToString(p.labels)
      << ", annotations: " << ::testing::PrintToString(p.annotations) << "}";
}
inline void PrintTo(const ClockInfo& c, std::ostream* os) {
  *os << "{" << (c.is_virtual ? "virtual" : "real") << ", now: " << c.now
      << ", next_timer: " << c.next_timer.value_or("none") << "}";
}
inline void PrintTo(const AllocationInfo& a, std::ostream* os) {
  *os << "{id: " << a.id << ", project_id: " << a.project_id << ", session_type: " << a.session_type
      << ", state: " << a.state << ", buffer_size: " << a.buffer_size
      << ", min_payloads: " << a.min_payloads << ", max_payloads: " << a.max_payloads << "}";
}
inline void PrintTo(const WorldPayload& p, std::ostream* os) {
  PrintTo(p.info, os);
  *os << " since " << p.state_since << " at " << p.payload_api;
}
inline void PrintTo(const WorldSession& s, std::ostream* os) {
  *os << "{id: " << s.id << ", session_type: " << s.session_type
      << ", session_status: " << ::testing::PrintToString(s.session_status)
      << ", clients_see: " << ::testing::PrintToString(s.clients_see);
  if (s.clients_see_latest_at) *os << " (the latest from " << *s.clients_see_latest_at << ")";
  *os << "}";
}
inline void PrintTo(const WorldState& w, std::ostream* os) {
  *os << "{clock: " << ::testing::PrintToString(w.clock)
      << ", allocations: " << ::testing::PrintToString(w.allocations)
      << ", payloads: " << ::testing::PrintToString(w.payloads)
      << ", sessions: " << ::testing::PrintToString(w.sessions) << "}";
}
inline void PrintTo(const JournalEvent& e, std::ostream* os) { *os << e.ToString(); }
inline void PrintTo(const FaultSpec& f, std::ostream* os) {
  *os << "{api: " << f.api << ", method: " << (f.method.empty() ? "any" : f.method)
      << ", path: " << (f.path.empty() ? "any" : f.path) << ", status: " << f.status
      << ", delay: " << f.delay.count()
      << " ms, times: " << (f.times ? std::to_string(*f.times) : "every")
      << ", probability: " << f.probability << "}";
}
inline void PrintTo(const FaultInfo& f, std::ostream* os) {
  *os << "{id: " << f.id << ", spec: " << ::testing::PrintToString(f.spec)
      << ", matched: " << f.matched << ", fired: " << f.fired << "}";
}

}  // namespace imsemu

// Status assertions (as abseil's), each under its IMSEMU_ name too, for a
// project whose other libraries define the short ones:
//   EXPECT_OK(server.Ready());
//   ASSERT_OK_AND_ASSIGN(auto session, session_manager().CreateSession("default"));
// ASSERT_OK_AND_ASSIGN is several statements: under an `if`, use braces.
#define IMSEMU_EXPECT_OK(expr) EXPECT_THAT((expr), ::imsemu_testing::IsOk())
#define IMSEMU_ASSERT_OK(expr) ASSERT_THAT((expr), ::imsemu_testing::IsOk())
// A failure names the expression: "session_manager().CreateSession("x") is
// NOT_FOUND: ...".
#define IMSEMU_ASSERT_OK_AND_ASSIGN_IMPL(var, lhs, expr)                     \
  auto var = (expr);                                                         \
  if (!::imsemu_testing::StatusOf(var).ok())                                 \
    FAIL() << #expr << " is " << ::imsemu_testing::StatusOf(var).ToString(); \
  lhs = *std::move(var)
#define IMSEMU_ASSERT_OK_AND_ASSIGN(lhs, expr) \
  IMSEMU_ASSERT_OK_AND_ASSIGN_IMPL(IMSEMU_CONCAT(imsemu_assert_statusor_, __COUNTER__), lhs, expr)
#ifndef EXPECT_OK
#define EXPECT_OK(expr) IMSEMU_EXPECT_OK(expr)
#endif
#ifndef ASSERT_OK
#define ASSERT_OK(expr) IMSEMU_ASSERT_OK(expr)
#endif
#ifndef ASSERT_OK_AND_ASSIGN
#define ASSERT_OK_AND_ASSIGN(lhs, expr) IMSEMU_ASSERT_OK_AND_ASSIGN(lhs, expr)
#endif
