#include "emulator/scenario/junit.h"

#include <cstdio>
#include <sstream>

namespace imsemu::scenario {
namespace {

std::string XmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 allows no control characters but tab, newline and return.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace

std::string JUnitXml(const std::vector<ScenarioResult>& results) {
  int failures = 0;
  int skipped = 0;
  double total_ms = 0;
  for (const ScenarioResult& r : results) {
    failures += r.passed || r.skipped ? 0 : 1;
    skipped += r.skipped ? 1 : 0;
    total_ms += r.wall_ms;
  }
  std::ostringstream out;
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.3f", total_ms / 1000.0);
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites>\n  <testsuite name=\"scenarios\" tests=\"" << results.size()
      << "\" failures=\"" << failures << "\" errors=\"0\" skipped=\"" << skipped << "\" time=\""
      << seconds << "\">\n";
  for (const ScenarioResult& r : results) {
    std::snprintf(seconds, sizeof seconds, "%.3f", r.wall_ms / 1000.0);
    out << "    <testcase classname=\"" << XmlEscape(r.file) << "\" name=\"" << XmlEscape(r.name)
        << "\" time=\"" << seconds << "\"";
    if (r.passed) {
      out << "/>\n";
    } else if (r.skipped) {
      out << ">\n      <skipped message=\"" << XmlEscape(r.report) << "\"/>\n    </testcase>\n";
    } else {
      const std::string first_line = r.report.substr(0, r.report.find('\n'));
      out << ">\n      <failure message=\"" << XmlEscape(first_line) << "\">" << XmlEscape(r.report)
          << "</failure>\n    </testcase>\n";
    }
  }
  out << "  </testsuite>\n</testsuites>\n";
  return out.str();
}

}  // namespace imsemu::scenario
