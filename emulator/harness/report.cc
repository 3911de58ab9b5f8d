#include "emulator/harness/report.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "emulator/util/markup.h"

namespace imsemu::harness {
namespace {

struct Counts {
  int passed = 0;
  int failed = 0;
  int skipped = 0;
  double wall_ms = 0;
};

Counts Count(const std::vector<CaseResult>& results) {
  Counts c;
  for (const CaseResult& r : results) {
    c.passed += r.outcome == Outcome::kPass;
    c.failed += r.outcome == Outcome::kFail;
    c.skipped += r.outcome == Outcome::kSkip;
    c.wall_ms += r.wall_ms;
  }
  return c;
}

}  // namespace

std::string Tally(const std::vector<CaseResult>& results) {
  const Counts c = Count(results);
  std::string out = std::to_string(c.passed) + " passed, " + std::to_string(c.failed) + " failed";
  if (c.skipped > 0) out += ", " + std::to_string(c.skipped) + " skipped";
  return out;
}

std::string JUnitXml(std::string_view suite, const std::vector<CaseResult>& results) {
  const Counts c = Count(results);
  std::ostringstream out;
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.3f", c.wall_ms / 1000.0);
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites>\n  <testsuite name=\"" << EscapeMarkup(std::string(suite)) << "\" tests=\""
      << results.size() << "\" failures=\"" << c.failed << "\" errors=\"0\" skipped=\"" << c.skipped
      << "\" time=\"" << seconds << "\">\n";
  for (const CaseResult& r : results) {
    std::snprintf(seconds, sizeof seconds, "%.3f", r.wall_ms / 1000.0);
    out << "    <testcase classname=\"" << EscapeMarkup(r.file) << "\" name=\""
        << EscapeMarkup(r.name) << "\" time=\"" << seconds << "\"";
    switch (r.outcome) {
      case Outcome::kPass:
        out << "/>\n";
        break;
      case Outcome::kSkip:
        out << ">\n      <skipped message=\"" << EscapeMarkup(r.report)
            << "\"/>\n    </testcase>\n";
        break;
      case Outcome::kFail: {
        const std::string first_line = r.report.substr(0, r.report.find('\n'));
        out << ">\n      <failure message=\"" << EscapeMarkup(first_line) << "\">"
            << EscapeMarkup(r.report) << "</failure>\n    </testcase>\n";
        break;
      }
    }
  }
  out << "  </testsuite>\n</testsuites>\n";
  return out.str();
}

Status WriteJUnit(const std::string& path, std::string_view suite,
                  const std::vector<CaseResult>& results) {
  std::ofstream out(path);
  out << JUnitXml(suite, results);
  if (!out.flush()) return InvalidArgument("cannot write the JUnit report " + path);
  return OkStatus();
}

}  // namespace imsemu::harness
