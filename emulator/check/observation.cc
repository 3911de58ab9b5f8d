#include "emulator/check/observation.h"

#include <map>

#include "emulator/check/judgements.h"
#include "emulator/util/utf8.h"

namespace imsemu::check {
namespace {

// Lines of calls, journal and output shown as evidence.
constexpr size_t kEvidenceLines = 8;

template <typename T>
size_t Tail(const std::vector<T>& lines) {
  return lines.size() > kEvidenceLines ? lines.size() - kEvidenceLines : 0;
}

std::string CallText(const Call& c) {
  std::string detail;
  switch (c.kind) {
    case CallKind::kPayloadRead:
      detail = c.state;
      break;
    case CallKind::kConfigRead:
      detail = c.config ? Excerpt(*c.config) : "(none)";
      break;
    case CallKind::kStatusSet:
      detail = std::to_string(StatusBytes(c.status)) + " bytes:";
      for (const auto& [k, v] : c.status) detail += " " + k + "=" + Excerpt(v, 24);
      break;
    default:
      detail = c.detail;
  }
  return "  +" + Millis(c.at_ms) + " " + CallName(c.kind) + (detail.empty() ? "" : ": " + detail);
}

}  // namespace

const char* CallName(CallKind kind) {
  switch (kind) {
    case CallKind::kPayloadRead:
      return "Get Payload Details";
    case CallKind::kReady:
      return "ready";
    case CallKind::kLabelSet:
      return "set label";
    case CallKind::kAnnotationSet:
      return "set annotation";
    case CallKind::kConfigRead:
      return "read the session config";
    case CallKind::kStatusRead:
      return "read its status";
    case CallKind::kStatusSet:
      return "set status";
  }
  return "?";
}

int Observation::Count(CallKind kind, double from, double to) const {
  int n = 0;
  for (const Call& c : calls) n += c.kind == kind && c.at_ms >= from && c.at_ms < to ? 1 : 0;
  return n;
}

std::optional<double> Observation::First(CallKind kind, double from) const {
  for (const Call& c : calls) {
    if (c.kind == kind && c.at_ms >= from) return c.at_ms;
  }
  return std::nullopt;
}

std::string Refusal::Describe() const {
  return (kind ? std::string(CallName(*kind)) : PrintableText(method + " " + path)) +
         " refused: " + std::to_string(status) + " " + PrintableText(message.substr(0, 200));
}

std::vector<const Refusal*> Observation::Refused(CallKind kind, double from) const {
  std::vector<const Refusal*> out;
  for (const Refusal& r : refused) {
    if (r.kind == kind && r.at_ms >= from) out.push_back(&r);
  }
  return out;
}

std::optional<double> Observation::LastCallAt() const {
  std::optional<double> last;
  for (const Call& c : calls) last = std::max(last.value_or(c.at_ms), c.at_ms);
  for (const Refusal& r : refused) last = std::max(last.value_or(r.at_ms), r.at_ms);
  return last;
}

std::vector<std::string> Observation::Evidence() const {
  std::map<std::string, int> counts;
  for (const Call& c : calls) ++counts[CallName(c.kind)];
  std::string summary = "calls:";
  for (const auto& [what, n] : counts) summary += " " + what + " x" + std::to_string(n) + ";";
  if (counts.empty()) summary += " none";
  if (!refused.empty()) summary += " refused x" + std::to_string(refused.size()) + ";";
  std::vector<std::string> out = {summary};
  for (size_t i = Tail(calls); i < calls.size(); ++i) out.push_back(CallText(calls[i]));
  for (size_t i = Tail(refused); i < refused.size(); ++i) {
    out.push_back("  +" + Millis(refused[i].at_ms) + " " + refused[i].Describe());
  }
  out.push_back(exit ? "process: ended +" + Millis(exit->at_ms) + " with " + exit->how.Describe()
                     : "process: still running at +" + Millis(ended_at));
  out.push_back("journal:");
  for (size_t i = Tail(journal); i < journal.size(); ++i) {
    const core::Event& e = journal[i];
    out.push_back("  " + std::string(core::EventKindName(e.kind)) + " " + e.old_state +
                  (e.old_state.empty() ? "" : " -> ") + e.new_state +
                  (e.detail.empty() ? "" : " (" + PrintableText(e.detail) + ")"));
  }
  out.push_back("output (" + (log_path.empty() ? std::string("no log") : log_path) + "):");
  for (size_t i = Tail(output); i < output.size(); ++i)
    out.push_back("  " + Excerpt(output[i], 160));
  return out;
}

}  // namespace imsemu::check
