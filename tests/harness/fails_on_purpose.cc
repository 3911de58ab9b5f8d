// A test that fails on purpose, for journal_in_report_test.py: the journal a
// failed EmulatorTest carries must be in the failure, so in the XML report.
#include "ims_emulator/gtest.h"

namespace {

class FailsOnPurposeTest : public imsemu_testing::EmulatorTest {};

TEST_F(FailsOnPurposeTest, SetsAStatusThenFails) {
  ASSERT_OK_AND_ASSIGN(auto session, session_manager().CreateSession("default"));
  ASSERT_OK(payload(session.id).SetStatus({{"phase", "lobby"}, {"players", "2"}}));
  EXPECT_EQ(1, 2) << "failing on purpose";
}

// Reading the value of an error fails this test at its line; the binary
// goes on to the tests after it (and writes its XML).
TEST_F(FailsOnPurposeTest, ReadsTheValueOfAnError) {
  const std::string id = session_manager().CreateSession("no-such-type").value().id;
  ADD_FAILURE() << "not reached: " << id;
}

TEST_F(FailsOnPurposeTest, AssertsOkOnAnError) {
  ASSERT_OK_AND_ASSIGN(auto session, session_manager().CreateSession("no-such-type"));
  ADD_FAILURE() << "not reached: " << session.id;
}

// An unmet EXPECT_CALL fails the test beside the journal (TearDown judges
// the expectations before it reads the journal).
TEST_F(FailsOnPurposeTest, LeavesAnExpectationUnmet) {
  EXPECT_CALL(game_servers(), OnReady("payload-nobody-has")).Times(1);
  ASSERT_OK(session_manager().CreateSession("default"));
}

// Each value is printed once in a failed expectation.
TEST_F(FailsOnPurposeTest, PrintsEachValueOnce) {
  ASSERT_OK_AND_ASSIGN(auto session, session_manager().CreateSession("default", "dust-once"));
  EXPECT_THAT(session_manager().CreateSession("type-once"), imsemu_testing::IsOk());
  EXPECT_THAT(session_manager().CreateSession("type-twice"),
              imsemu_testing::StatusIs(imsemu::StatusCode::kInternal));
  EXPECT_THAT(payload(session.id).GetConfig(),
              imsemu_testing::IsOkAndHolds(::testing::Eq(std::optional<std::string>("docks"))));
  EXPECT_THAT(payload(session.id).GetPayload(), imsemu_testing::PayloadInState("Ready"));
}

TEST_F(FailsOnPurposeTest, PassesAndCarriesNoJournal) {
  ASSERT_OK(session_manager().ListSessions("default"));
  EXPECT_THAT(session_manager().CreateSession("no-such-type"),
              imsemu_testing::StatusIs(imsemu::StatusCode::kNotFound,
                                       ::testing::HasSubstr("no-such-type")));
  EXPECT_THAT(session_manager().CreateSession("no-such-type"),
              ::testing::Not(imsemu_testing::StatusIs(imsemu::StatusCode::kNotFound,
                                                      ::testing::HasSubstr("default"))));
}

}  // namespace
