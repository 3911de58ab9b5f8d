#include "emulator/harness/report.h"

#include <gtest/gtest.h>

namespace imsemu::harness {
namespace {

TEST(ReportTest, JUnitXmlIsWellFormedAndEscaped) {
  CaseResult pass;
  pass.file = "scenarios/a.yaml";
  pass.name = "a <&> \"b\"";
  pass.outcome = Outcome::kPass;
  pass.wall_ms = 12.5;
  CaseResult fail;
  fail.file = "scenarios/b.yaml";
  fail.name = "scenarios/b.yaml";
  fail.report = "FAIL scenarios/b.yaml:3: bad 'kind' <x>\nmore\n";
  const std::string xml = JUnitXml("scenarios", {pass, fail});
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>", 0), 0u);
  EXPECT_NE(xml.find("<testsuite name=\"scenarios\" tests=\"2\" failures=\"1\" errors=\"0\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("name=\"a &lt;&amp;&gt; &quot;b&quot;\" time=\"0.013\"/>"), std::string::npos)
      << xml;
  EXPECT_NE(
      xml.find("<failure message=\"FAIL scenarios/b.yaml:3: bad &apos;kind&apos; &lt;x&gt;\">"),
      std::string::npos)
      << xml;
  // Every element opened is closed, in order.
  std::vector<std::string> open;
  for (size_t i = xml.find('<'); i != std::string::npos; i = xml.find('<', i + 1)) {
    if (xml.compare(i, 2, "<?") == 0) continue;
    const size_t end = xml.find('>', i);
    ASSERT_NE(end, std::string::npos);
    std::string tag = xml.substr(i + 1, end - i - 1);
    if (tag.back() == '/') continue;
    if (tag.front() == '/') {
      ASSERT_FALSE(open.empty());
      EXPECT_EQ(open.back(), tag.substr(1));
      open.pop_back();
    } else {
      open.push_back(tag.substr(0, tag.find(' ')));
    }
  }
  EXPECT_TRUE(open.empty());
}

TEST(ReportTest, SkippedCasesAreCountedAndSayWhy) {
  CaseResult skipped;
  skipped.file = "check/sigterm";
  skipped.name = "sigterm";
  skipped.outcome = Outcome::kSkip;
  skipped.report = "never Ready";
  CaseResult failed;
  failed.name = "ready";
  const std::string xml = JUnitXml("check", {skipped, failed});
  EXPECT_NE(xml.find("<testsuite name=\"check\" tests=\"2\" failures=\"1\" errors=\"0\" "
                     "skipped=\"1\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<skipped message=\"never Ready\"/>"), std::string::npos) << xml;
  EXPECT_EQ(Tally({skipped, failed}), "0 passed, 1 failed, 1 skipped");
  CaseResult passed;
  passed.outcome = Outcome::kPass;
  EXPECT_EQ(Tally({passed, failed}), "1 passed, 1 failed");
}

TEST(ReportTest, WriteJUnitNamesAFileItCannotWrite) {
  const Status s = WriteJUnit("/nonexistent-folder/report.xml", "scenarios", {});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("/nonexistent-folder/report.xml"), std::string::npos);
}

}  // namespace
}  // namespace imsemu::harness
