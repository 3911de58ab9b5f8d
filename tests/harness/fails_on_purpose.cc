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

TEST_F(FailsOnPurposeTest, PassesAndCarriesNoJournal) {
  ASSERT_OK(session_manager().ListSessions("default"));
}

}  // namespace
