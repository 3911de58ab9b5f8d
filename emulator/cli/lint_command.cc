// `lint`: fixture files against IMS's integration guide.
#include "emulator/cli/tool_commands.h"
#include "emulator/codec/allocation_json.h"
#include "emulator/core/fixture_lint.h"

namespace imsemu::cli {

void AddLintFlags(CLI::App* app, LintFlags& f) {
  app->add_option("fixtures", f.files, "fixture files (JSON)")->required();
}

int LintFixtureFiles(const LintFlags& f, const Context& c) {
  std::ostream& out = c.out;
  std::ostream& err = c.err;
  int worst = 0;
  for (const std::string& file : f.files) {
    auto fixture = codec::LoadFixtureFile(file);
    if (!fixture.ok()) {
      err << "ims-emulator: " << fixture.status().message() << "\n";
      worst = 2;
      continue;
    }
    const auto findings = core::LintFixture(*fixture);
    for (const auto& finding : findings) {
      out << file << ": " << finding.where << ": " << finding.message << "\n";
    }
    if (findings.empty()) out << file << ": ok\n";
    if (!findings.empty() && worst == 0) worst = 1;
  }
  return worst;
}

}  // namespace imsemu::cli
