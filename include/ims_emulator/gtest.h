// The GoogleTest harness: a fresh emulator per test, the three clients, time
// control, the journal on failure, gMock matchers, and scenario files.
//
//   class MatchTest : public imsemu::testing::EmulatorTest {};
//   TEST_F(MatchTest, ClientSeesTheStatus) {
//     auto session = session_manager().CreateSession("default", R"({"map":"dust"})");
//     ASSERT_THAT(session, imsemu::testing::IsOk());
//     imsemu::PayloadClient server = payload(session->id);
//     EXPECT_THAT(server.GetPayload(), imsemu::testing::PayloadInState("Reserved"));
//     ASSERT_THAT(server.SetStatus({{"phase", "lobby"}}), imsemu::testing::IsOk());
//     AdvancePastStatusCache();
//     EXPECT_THAT(session_manager().ListSessions("default"),
//                 imsemu::testing::HoldsSessions(::testing::ElementsAre(
//                     imsemu::testing::SessionWithStatus("phase", "lobby"))));
//   }
//
// Link ims_emulator::gtest. Each test gets its own emulator (virtual clock,
// port 0 on 127.0.0.1, :memory:), so tests run in parallel.
#pragma once

#include <chrono>
#include <memory>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ims_emulator/clients.h"
#include "ims_emulator/emulator.h"
#include "ims_emulator/observer.h"

namespace imsemu::testing {

// What game servers do, for EXPECT_CALL:
//   EXPECT_CALL(game_servers(), OnStatusSet(id, Contains(Pair("phase", "lobby"))));
class MockGameServerObserver : public GameServerObserver {
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
  MOCK_METHOD(void, OnStatusSet, (const std::string& payload_id, const StringMap& status),
              (override));
};

class EmulatorTest : public ::testing::Test {
 protected:
  // The emulator each test gets; override to choose the world and options.
  virtual EmulatorConfig Config() const { return {}; }

  void SetUp() override;
  // On a failed test, prints the emulator's journal; then stops it.
  void TearDown() override;

  Emulator& emulator() { return *emulator_; }
  // The Session Manager of the world's first project (by id, as
  // Emulator::ProjectIds() sorts them), as a game client.
  SessionManagerClient& session_manager() { return *session_manager_; }
  ControlClient& control() { return *control_; }
  // Observes every game server of this test's emulator; calls nobody
  // expects are allowed (a NiceMock). Set expectations before the calls.
  ::testing::NiceMock<MockGameServerObserver>& game_servers() { return game_servers_; }
  // A game server's view of `payload_id`'s Payload Local API.
  PayloadClient payload(const std::string& payload_id);
  // Moves the virtual clock (fails the test if it cannot).
  void Advance(std::chrono::milliseconds d);
  // Moves the clock just past the Session Manager's status cache, so List
  // Sessions shows every status set before.
  void AdvancePastStatusCache();

 private:
  ::testing::NiceMock<MockGameServerObserver> game_servers_;
  std::unique_ptr<Emulator> emulator_;
  std::unique_ptr<SessionManagerClient> session_manager_;
  std::unique_ptr<ControlClient> control_;
  std::chrono::milliseconds cache_ttl_{0};
};

// Runs a scenario file (ims-emulator's YAML format) on an emulator of its
// own; the failure message is the scenario's report.
::testing::AssertionResult ScenarioPasses(const std::string& file);

// The Status of a Status or a StatusOr.
inline const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const StatusOr<T>& s) {
  return s.status();
}

MATCHER(IsOk, "is OK") {
  const Status& s = StatusOf(arg);
  if (!s.ok()) *result_listener << "is " << s.ToString();
  return s.ok();
}

MATCHER_P(StatusIs, code, std::string("has status ") + StatusCodeName(code)) {
  const Status& s = StatusOf(arg);
  *result_listener << "is " << s.ToString();
  return s.code() == code;
}

// A StatusOr<PayloadInfo> that holds a payload in `state`.
MATCHER_P(PayloadInState, state, "is a payload in state " + std::string(state)) {
  if (!arg.ok()) {
    *result_listener << "is an error: " << arg.status().message();
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
          "holds sessions that " + ::testing::DescribeMatcher<std::vector<SessionInfo>>(matcher)) {
  if (!arg.ok()) {
    *result_listener << "is an error: " << arg.status().message();
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
      *listener << "which is " << actual.status();
      return false;
    }
    ::testing::StringMatchResultListener inner;
    const bool matched = inner_.MatchAndExplain(*actual, &inner);
    *listener << "which holds " << ::testing::PrintToString(*actual);
    if (!inner.str().empty()) *listener << ", " << inner.str();
    return matched;
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

}  // namespace imsemu::testing

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

}  // namespace imsemu

// Status assertions (as abseil's), each under its IMSEMU_ name too, for a
// project whose other libraries define the short ones:
//   EXPECT_OK(server.Ready());
//   ASSERT_OK_AND_ASSIGN(auto session, session_manager().CreateSession("default"));
// ASSERT_OK_AND_ASSIGN is several statements: under an `if`, use braces.
#define IMSEMU_EXPECT_OK(expr) EXPECT_THAT((expr), ::imsemu::testing::IsOk())
#define IMSEMU_ASSERT_OK(expr) ASSERT_THAT((expr), ::imsemu::testing::IsOk())
#define IMSEMU_ASSERT_OK_AND_ASSIGN_IMPL(var, lhs, expr) \
  auto var = (expr);                                     \
  ASSERT_THAT(var, ::imsemu::testing::IsOk());           \
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
