// The GoogleTest helpers of ims_emulator/gtest.h, judged both ways: what
// passes, what fails, and what a failure prints.
#include <gtest/gtest-spi.h>

#include "ims_emulator/gtest.h"

// As a studio writes it: both namespaces in use, and `testing::` still
// means GoogleTest's (this file does not compile if it is ambiguous).
using namespace imsemu;          // NOLINT(build/namespaces)
using namespace imsemu_testing;  // NOLINT(build/namespaces)

namespace {

using testing::Eq;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;
using ::testing::PrintToString;

TEST(GtestHelpersTest, StatusAndStatusOrPrintAsTheyRead) {
  EXPECT_EQ(PrintToString(NotFound("no payload 'x'")), "NOT_FOUND: no payload 'x'");
  EXPECT_EQ(PrintToString(OkStatus()), "OK");
  EXPECT_EQ(PrintToString(StatusOr<int>(7)), "OK: 7");
  EXPECT_EQ(PrintToString(StatusOr<int>(Unavailable("down"))), "UNAVAILABLE: down");
}

TEST(GtestHelpersTest, ClientTypesPrintTheirFields) {
  PayloadInfo p;
  p.id = "p1";
  p.allocation_id = "a1";
  p.state = "Error";
  p.details = "exit code 3";
  p.address = "127.0.0.1";
  p.ports = {{"GamePort", 7777}};
  p.labels = {{"map", "dust"}};
  const std::string printed = PrintToString(p);
  for (const char* part : {"id: p1", "allocation_id: a1", "state: Error (exit code 3)",
                           "GamePort=7777", "\"map\"", "\"dust\""}) {
    EXPECT_THAT(printed, HasSubstr(part));
  }
  SessionInfo s;
  s.id = "s1";
  s.session_status = {{"phase", "lobby"}};
  EXPECT_THAT(PrintToString(s), HasSubstr("session_status: { (\"phase\", \"lobby\") }"));
  EXPECT_THAT(PrintToString(CreatedSession{"s2", "10.0.0.1", {{"GamePort", 1}}}),
              HasSubstr("{id: s2, address: 10.0.0.1, ports: { GamePort=1 }}"));
}

TEST(GtestHelpersTest, IsOkAndHoldsMatchesTheValueOfAnOkStatusOrOnly) {
  const StatusOr<std::optional<std::string>> config = std::optional<std::string>("dust");
  EXPECT_THAT(config, IsOkAndHolds(Optional(HasSubstr("du"))));
  EXPECT_THAT(config, Not(IsOkAndHolds(Optional(Eq("mirage")))));
  const StatusOr<int> error = NotFound("gone");
  EXPECT_THAT(error, Not(IsOkAndHolds(Eq(1))));

  ::testing::StringMatchResultListener why;
  const ::testing::Matcher<const StatusOr<int>&> holds_one = IsOkAndHolds(Eq(1));
  EXPECT_FALSE(holds_one.MatchAndExplain(error, &why));
  EXPECT_EQ(why.str(), "which is an error") << "GoogleTest prints the error itself";
  ::testing::StringMatchResultListener inner;
  const ::testing::Matcher<const StatusOr<std::optional<std::string>>&> mirage =
      IsOkAndHolds(Eq(std::optional<std::string>("mirage")));
  EXPECT_FALSE(mirage.MatchAndExplain(config, &inner));
  EXPECT_THAT(inner.str(), Not(HasSubstr("dust"))) << "the value is printed once, by GoogleTest";
  EXPECT_EQ(::testing::DescribeMatcher<const StatusOr<int>&>(holds_one),
            "is OK and holds a value that is equal to 1");
}

// The failures of `statement` on this thread, without failing the test.
template <typename F>
std::string FailureOf(F statement) {
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    statement();
  }
  std::string text;
  for (int i = 0; i < results.size(); ++i) text += results.GetTestPartResult(i).message();
  return text;
}

size_t Count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// A failed expectation prints the actual value once (GoogleTest's "Actual:"),
// not again in the matcher's explanation.
TEST(GtestHelpersTest, AFailurePrintsTheValueOnce) {
  const StatusOr<int> gone = NotFound("gone-away");
  const StatusOr<std::optional<std::string>> config = std::optional<std::string>("dust-map");
  const std::string failures[] = {
      FailureOf([&] { EXPECT_THAT(gone, IsOk()); }),
      FailureOf([&] { EXPECT_THAT(gone, StatusIs(StatusCode::kInternal)); }),
      FailureOf([&] { EXPECT_THAT(gone, StatusIs(StatusCode::kNotFound, HasSubstr("x"))); }),
      FailureOf([&] { EXPECT_THAT(gone, IsOkAndHolds(Eq(1))); }),
      FailureOf([&] { EXPECT_OK(gone); }),
  };
  for (const std::string& failure : failures) {
    EXPECT_EQ(Count(failure, "gone-away"), 1u) << failure;
  }
  // (gMock's own Optional() says "whose value ..." again: Eq does not.)
  const std::string held =
      FailureOf([&] { EXPECT_THAT(config, IsOkAndHolds(Eq(std::optional<std::string>("x")))); });
  EXPECT_EQ(Count(held, "dust-map"), 1u) << held;
}

// A journal line (what a failed test shows) stays text whatever a hostile
// game server set: control bytes, NUL and bytes that are not UTF-8 escaped.
TEST(GtestHelpersTest, AJournalLineIsText) {
  JournalEvent e;
  e.seq = 3;
  e.time = "2026-01-01T00:00:00Z";
  e.kind = "session.status";
  e.payload_id = "p1";
  e.detail = std::string("{phase: \"\x1b[2J", 13) + std::string(1, '\0') + "\xed\xa0\x80\"}";
  EXPECT_EQ(e.ToString(),
            "3 2026-01-01T00:00:00Z session.status p1 {phase: \"\\x1b[2J\\x00\\xed\\xa0\\x80\"}");
}

int assigned = 0;
void AssignOrFail(const StatusOr<int>& s) {
  ASSERT_OK_AND_ASSIGN(assigned, s);
  assigned += 100;  // not reached when the assertion fails
}

TEST(GtestHelpersTest, StatusAssertionsPassOnOkAndFailWithTheStatus) {
  EXPECT_OK(OkStatus());
  ASSERT_OK(StatusOr<int>(1));
  AssignOrFail(StatusOr<int>(5));
  EXPECT_EQ(assigned, 105);
  EXPECT_FATAL_FAILURE(AssignOrFail(StatusOr<int>(NotFound("no such session"))),
                       "NOT_FOUND: no such session");
  EXPECT_EQ(assigned, 105) << "the failed assertion returned before the assignment";
  EXPECT_NONFATAL_FAILURE(EXPECT_OK(Unavailable("no answer")), "UNAVAILABLE: no answer");
  EXPECT_FATAL_FAILURE(ASSERT_OK(PermissionDenied("host")), "PERMISSION_DENIED: host");
}

}  // namespace
