#include "emulator/core/fixture_lint.h"

#include <map>

namespace imsemu::core {

std::vector<LintFinding> LintFixture(const Fixture& fixture) {
  std::vector<LintFinding> findings;
  bool any_session_type = false;
  for (size_t p = 0; p < fixture.projects.size(); ++p) {
    const ProjectFixture& project = fixture.projects[p];
    std::map<std::string, std::string> first_with_type;  // session type -> where
    for (size_t a = 0; a < project.allocations.size(); ++a) {
      const AllocationFixture& allocation = project.allocations[a];
      const AllocationSpec& spec = allocation.spec;
      const std::string name = allocation.id.value_or(spec.name.empty() ? "" : spec.name);
      const std::string where = "projects[" + std::to_string(p) + "].allocations[" +
                                std::to_string(a) + "]" + (name.empty() ? "" : " (" + name + ")");
      const std::string& type = spec.SessionType();
      if (type.empty()) continue;
      any_session_type = true;
      auto [it, first] = first_with_type.emplace(type, where);
      if (!first) {
        findings.push_back({where, "serves session_type=" + type + ", as " + it->second +
                                       " does: give each session type its own allocation (the "
                                       "Session Manager reserves from one of them, and which "
                                       "is not for you to choose)"});
      }
      if (spec.max_payloads >= kLintMaxPayloads) {
        findings.push_back(
            {where,
             "max_payloads is " + std::to_string(spec.max_payloads) +
                 (spec.max_payloads == kDefaultMaxPayloads ? " (the default: none set)" : "") +
                 ": a client that creates sessions in a loop starts that many game "
                 "servers; set a cap the match can use (at most " +
                 std::to_string(kLintMaxPayloads - 1) + ")"});
      }
      if (spec.buffer_size == 0 && spec.min_payloads == 0) {
        findings.push_back({where,
                            "buffer_size is 0: no Ready payload waits, so creating a "
                            "session fails until one is started"});
      }
      if (spec.auto_reserve) {
        findings.push_back({where,
                            "auto_reserve reserves payloads of an allocation the Session "
                            "Manager reserves from: keep it to the Session Manager alone"});
      }
    }
  }
  if (!any_session_type && !fixture.projects.empty()) {
    findings.push_back({"projects",
                        "no allocation has a session_type annotation: the Session "
                        "Manager can create no session"});
  }
  return findings;
}

}  // namespace imsemu::core
