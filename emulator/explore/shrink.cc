#include "emulator/explore/shrink.h"

#include <algorithm>
#include <thread>

namespace imsemu::explore {
namespace {

// The candidates one step smaller than `p`, most promising first: halves
// taken out, single events taken out (the last first: SIGTERM and what
// follows a reservation usually matter least), then each event simplified.
std::vector<Program> Smaller(const Program& p, const std::vector<std::string>& configs) {
  std::vector<Program> out;
  const size_t n = p.events.size();
  for (size_t chunk = n / 2; chunk >= 2; chunk /= 2) {
    for (size_t from = 0; from + chunk <= n; from += chunk) {
      Program q;
      for (size_t i = 0; i < n; ++i) {
        if (i < from || i >= from + chunk) q.events.push_back(p.events[i]);
      }
      out.push_back(std::move(q));
    }
  }
  for (size_t i = n; i-- > 0;) {
    Program q = p;
    q.events.erase(q.events.begin() + static_cast<long>(i));
    out.push_back(std::move(q));
  }
  for (size_t i = 0; i < n; ++i) {
    const Event& e = p.events[i];
    if (e.duration > Duration(100)) {
      Program q = p;
      q.events[i].duration = Duration(std::max<long long>(100, e.duration.count() / 2 / 100 * 100));
      out.push_back(std::move(q));
    }
    if (e.kind == EventKind::kErrors && e.times > 1) {
      Program q = p;
      q.events[i].times = 1;
      out.push_back(std::move(q));
    }
    if (e.kind == EventKind::kReserve) {
      for (const std::string& simpler : configs) {
        if (simpler.size() >= e.config.size()) continue;  // shorter only: shrinking ends
        Program q = p;
        q.events[i].config = simpler;
        out.push_back(std::move(q));
      }
    }
  }
  return out;
}

}  // namespace

Shrunk Shrink(const Program& program, const Breaks& breaks, int max_attempts,
              const std::vector<std::string>& simpler_configs, int jobs) {
  Shrunk s;
  s.program = program;
  bool smaller = true;
  while (smaller && s.attempts < max_attempts) {
    smaller = false;
    std::vector<Program> candidates = Smaller(s.program, simpler_configs);
    std::erase_if(candidates, [](const Program& c) { return c.events.empty(); });
    for (size_t from = 0; from < candidates.size() && s.attempts < max_attempts;) {
      const size_t n = std::min({candidates.size() - from, static_cast<size_t>(std::max(1, jobs)),
                                 static_cast<size_t>(max_attempts - s.attempts)});
      std::vector<char> broke(n, 0);
      std::vector<std::thread> players;
      for (size_t i = 0; i < n; ++i) {
        players.emplace_back([&, i] { broke[i] = breaks(candidates[from + i]) ? 1 : 0; });
      }
      for (std::thread& t : players) t.join();
      s.attempts += static_cast<int>(n);
      const auto first = std::find(broke.begin(), broke.end(), 1);
      if (first != broke.end()) {
        s.program = candidates[from + static_cast<size_t>(first - broke.begin())];
        ++s.accepted;
        smaller = true;
        break;  // start again from the smaller program
      }
      from += n;
    }
  }
  return s;
}

}  // namespace imsemu::explore
