#include "emulator/rehearse/simulation.h"

#include <algorithm>
#include <optional>
#include <queue>
#include <string>

#include "emulator/rehearse/random.h"
#include "emulator/store/memory_world_store.h"

namespace imsemu::rehearse {
namespace {

constexpr const char* kProject = "rehearse";
constexpr const char* kAllocation = "rehearse-allocation";
// The journal is the world's; the simulation hears every event through the
// sink and needs only the newest few kept.
constexpr size_t kJournalKept = 1000;

std::optional<Group> GroupOf(const std::string& state_name) {
  const std::optional<core::PayloadState> state = core::ParsePayloadState(state_name);
  if (!state) return std::nullopt;
  switch (*state) {
    case core::PayloadState::kCreating:
    case core::PayloadState::kStarting:
    case core::PayloadState::kError:
      return Group::kStarting;
    case core::PayloadState::kReady:
      return Group::kReady;
    case core::PayloadState::kReserved:
      return Group::kReserved;
    case core::PayloadState::kUnhealthy:
    case core::PayloadState::kShutdown:
      return Group::kLeaving;
    case core::PayloadState::kUnknown:
      break;
  }
  return std::nullopt;
}

Percentiles PercentilesOf(std::vector<long long> values) {
  Percentiles out;
  if (values.empty()) return out;
  auto rank = [&](double p) {
    // Nearest rank: the smallest value with at least p of the values <= it.
    size_t k = static_cast<size_t>(p * static_cast<double>(values.size()) + 0.999999);
    k = std::clamp<size_t>(k, 1, values.size()) - 1;
    std::nth_element(values.begin(), values.begin() + static_cast<long>(k), values.end());
    return values[k];
  };
  out.p50 = rank(0.50);
  out.p99 = rank(0.99);
  return out;
}

class Simulation final : public core::PayloadObserver {
 public:
  Simulation(const Plan& plan, const Settings& settings, const Progress& progress)
      : plan_(plan),
        progress_(progress),
        start_(kDefaultVirtualStart),
        end_(start_ + plan.duration),
        clock_(start_),
        store_(kJournalKept),
        world_(store_, clock_, Options(plan)),
        arrivals_(plan.seed, Stream::kArrivals),
        matches_(plan.seed, Stream::kMatches),
        start_ups_(plan.seed, Stream::kStartUps),
        crashes_(plan.seed, Stream::kCrashes) {
    result_.settings = settings;
    result_.duration_ms = plan.duration.count();
    result_.rollouts.resize(plan.rollouts.size());
    const long long buckets = std::min<long long>(kTimelineBuckets, result_.duration_ms / 1000);
    bucket_ms_ = (result_.duration_ms + std::max(1LL, buckets) - 1) / std::max(1LL, buckets);
    for (long long at = 0; at < result_.duration_ms; at += bucket_ms_) {
      Bucket b;
      b.start_ms = at;
      b.length_ms = std::min(bucket_ms_, result_.duration_ms - at);
      result_.timeline.push_back(b);
    }
    ready_after_by_revision_ = {&plan.ready_after, &plan.ready_after};  // 0 unused, 1: the first
    world_.AddObserver(this);
    world_.SetEventSink([this](const core::Event& e) { Heard(e); });
  }

  Result Run() {
    if (Status s = world_.Open(FixtureOf(plan_, result_.settings)); !s.ok()) {
      // The loader refuses every plan that breaks a rule of the fixture
      // (fuzz_rehearse_plan holds it to that): this is a bug.
      std::abort();
    }
    cache_ = world_.status_cache();
    NextArrival(start_ + plan_.demand_starts_after);
    for (size_t i = 0; i < plan_.rollouts.size(); ++i) {
      Pending p;
      p.at = start_ + plan_.rollouts[i].at;
      p.kind = Kind::kRollout;
      p.rollout = i;
      Schedule(std::move(p));
    }
    double reported = 0;
    constexpr Time kNever = Time::max();
    while (true) {
      const Time timer = world_.NextPayloadDeadline().value_or(kNever);
      const Time next = queue_.empty() ? kNever : queue_.top().at;
      const Time at = std::min(timer, next);
      if (at == kNever || at > end_) break;
      clock_.SetTime(at);
      if (timer <= at) world_.Reconcile();
      if (next == at) {
        Pending p = queue_.top();
        queue_.pop();
        Handle(p);
      }
      const double fraction =
          static_cast<double>((at - start_).count()) / static_cast<double>(plan_.duration.count());
      if (progress_ && fraction - reported >= 0.1) {
        reported = fraction;
        progress_(fraction);
      }
    }
    Account(end_);
    result_.time_to_session_ms = PercentilesOf(std::move(time_to_session_));
    result_.list_staleness_ms = PercentilesOf(std::move(staleness_));
    return std::move(result_);
  }

 private:
  enum class Kind { kPlayer, kReady, kMatchEnd, kRollout };
  struct Pending {
    Time at;
    long long order = 0;
    Kind kind = Kind::kPlayer;
    std::string payload;  // kReady, kMatchEnd
    Time first;           // kPlayer: the player's first request
    int tries_left = 0;   // kPlayer: retries left after this request
    bool first_request = true;
    bool crash = false;  // kMatchEnd
    size_t rollout = 0;  // kRollout: which of plan.rollouts
    int revision = 0;    // kReady: the build the server runs
  };
  struct Later {
    bool operator()(const Pending& a, const Pending& b) const {
      return a.at != b.at ? a.at > b.at : a.order > b.order;
    }
  };

  static core::WorldOptions Options(const Plan& plan) {
    core::WorldOptions options;
    options.seed = plan.seed;
    options.status_cache.ttl = plan.status_cache_ttl;
    return options;
  }

  void Schedule(Pending p) {
    p.order = next_order_++;
    queue_.push(std::move(p));
  }

  // The next player of the (thinned) Poisson process after `after`.
  void NextArrival(Time after) {
    const double max_rate = plan_.arrivals.MaxRate();
    if (max_rate <= 0) return;
    const double mean_gap_ms = 60000.0 / max_rate;
    double t = static_cast<double>((after - start_).count());
    while (true) {
      t += arrivals_.Exponential(mean_gap_ms);
      if (t > static_cast<double>(plan_.duration.count())) return;
      const Duration offset(static_cast<long long>(t));
      if (arrivals_.Uniform() * max_rate < plan_.arrivals.RateAt(offset)) {
        Pending p;
        p.at = start_ + offset;
        p.kind = Kind::kPlayer;
        p.first = p.at;
        p.tries_left = plan_.patience.retries;
        Schedule(std::move(p));
        return;
      }
    }
  }

  // --- What the world tells --------------------------------------------------

  void OnPayloadStarted(const core::Payload& payload, const core::Allocation&) override {
    const size_t revision = std::min(static_cast<size_t>(std::max(payload.revision, 1)),
                                     ready_after_by_revision_.size() - 1);
    Pending p;
    p.at = clock_.Now() + start_ups_.Sample(*ready_after_by_revision_[revision]);
    p.kind = Kind::kReady;
    p.payload = payload.id;
    p.revision = payload.revision;
    Schedule(std::move(p));
  }

  void Heard(const core::Event& e) {
    std::optional<Group> from;
    std::optional<Group> to;
    if (e.kind == core::EventKind::kAllocationStatus) {
      // Out of Updating (and not in Error): no older build left unreserved.
      if (open_rollout_ && e.new_state != "Updating" && e.new_state != "Error") {
        rollout(*open_rollout_).running_ms = (e.time - start_).count();
        CloseRolloutWhenDone();
      }
      return;
    }
    if (e.kind == core::EventKind::kPayloadCreated) {
      to = GroupOf(e.new_state);
    } else if (e.kind == core::EventKind::kPayloadState) {
      from = GroupOf(e.old_state);
      to = GroupOf(e.new_state);
    } else if (e.kind == core::EventKind::kPayloadRemoved) {
      from = GroupOf(e.old_state);
    } else {
      return;
    }
    Account(e.time);
    if (from) --counts_[static_cast<size_t>(*from)];
    if (to) ++counts_[static_cast<size_t>(*to)];
    const int total = PayloadCount();
    result_.peak_payloads = std::max(result_.peak_payloads, total);
    if (open_rollout_) {
      int& peak = rollout(*open_rollout_).peak_payloads;
      peak = std::max(peak, total);
    }
  }

  int PayloadCount() const {
    int total = 0;
    for (int n : counts_) total += n;
    return total;
  }

  RolloutResult& rollout(size_t i) { return result_.rollouts[i]; }

  void CloseRolloutWhenDone() {
    if (open_rollout_ && rollout(*open_rollout_).done_ms()) open_rollout_.reset();
  }

  // Adds the payload-time since the last account up to `at`, bucket by bucket.
  void Account(Time at) {
    long long from = static_cast<long long>((accounted_ - start_).count());
    const long long to = std::min<long long>((at - start_).count(), result_.duration_ms);
    while (from < to) {
      const size_t b = static_cast<size_t>(from / bucket_ms_);
      const long long bucket_end = std::min(to, static_cast<long long>(b + 1) * bucket_ms_);
      const long long span = bucket_end - from;
      for (size_t g = 0; g < kGroups; ++g) {
        const long long area = span * counts_[g];
        result_.timeline[b].payload_ms[g] += area;
        result_.payload_ms[g] += area;
      }
      from = bucket_end;
    }
    if (at > accounted_) accounted_ = at;
  }

  Bucket& BucketAt(Time at) {
    const auto b = static_cast<size_t>((at - start_).count() / bucket_ms_);
    return result_.timeline[std::min(b, result_.timeline.size() - 1)];
  }

  // --- Players and game servers ----------------------------------------------

  void Handle(const Pending& p) {
    switch (p.kind) {
      case Kind::kPlayer:
        Request(p);
        break;
      case Kind::kReady:
        // Gone (scaled down) before it started: nothing to do.
        if (world_.MarkReady(p.payload).ok() && open_rollout_ && p.revision == revision_ &&
            !rollout(*open_rollout_).first_ready_ms) {
          rollout(*open_rollout_).first_ready_ms = (p.at - start_).count();
          CloseRolloutWhenDone();
        }
        break;
      case Kind::kMatchEnd:
        (void)world_.ExitPayload(p.payload, core::ProcessExit::Exited(p.crash ? 1 : 0));
        break;
      case Kind::kRollout:
        ShipBuild(p.rollout, p.at);
        break;
    }
  }

  // Build p.rollout + 2 replaces what runs; the world rolls it out.
  void ShipBuild(size_t index, Time now) {
    if (open_rollout_) {
      rollout(*open_rollout_).superseded = true;
      open_rollout_.reset();
    }
    RolloutResult& r = rollout(index);
    r.at_ms = (now - start_).count();
    StatusOr<core::Allocation> current = world_.GetAllocation(kProject, kAllocation);
    if (!current.ok()) std::abort();  // the simulation never deletes it
    core::AllocationSpec spec = current->spec;
    spec.payload_spec.env["BUILD"] = std::to_string(index + 2);
    const Rollout& build = plan_.rollouts[index];
    ready_after_by_revision_.push_back(build.ready_after ? &*build.ready_after
                                                         : ready_after_by_revision_.back());
    open_rollout_ = index;
    r.peak_payloads = PayloadCount();
    StatusOr<core::Allocation> replaced =
        world_.ReplaceAllocation(kProject, kAllocation, std::move(spec));
    if (!replaced.ok()) std::abort();  // the same spec with one more variable
    revision_ = replaced->revision;
    if (!replaced->updating) {  // nothing old left unreserved: Running at once
      r.running_ms = r.at_ms;
      CloseRolloutWhenDone();
    }
  }

  void Request(const Pending& p) {
    const Time now = p.at;
    Bucket& bucket = BucketAt(now);
    if (p.first_request) {
      ++result_.sessions_requested;
      ++bucket.players;
      NextArrival(now);
    }
    ++result_.requests;
    ++bucket.requests;
    if (open_rollout_) ++rollout(*open_rollout_).requests;
    StatusOr<core::Payload> session =
        world_.CreateSession(kProject, plan_.session_type,
                             "{\"player\":" + std::to_string(result_.sessions_requested) + "}");
    if (!session.ok()) {
      ++result_.refused;
      ++bucket.refused;
      if (open_rollout_) ++rollout(*open_rollout_).refused;
      if (p.tries_left == 0) {
        ++result_.players_gave_up;
        return;
      }
      Pending retry = p;
      retry.at = now + plan_.patience.every;
      retry.first_request = false;
      --retry.tries_left;
      Schedule(std::move(retry));
      return;
    }
    ++result_.sessions_created;
    time_to_session_.push_back((now - p.first).count());
    Play(session->id, now);
  }

  // The game server of a freshly Reserved payload: reads its config, shows
  // the match in List Sessions, plays it, and exits.
  void Play(const std::string& payload, Time now) {
    (void)world_.GetSessionConfig(payload);
    (void)world_.SetSessionStatus(payload, {{"phase", "playing"}}, {});
    const Duration length = matches_.Sample(plan_.match_length);
    const bool crash = plan_.crash_probability > 0 && crashes_.Uniform() < plan_.crash_probability;
    Duration ends = length;
    if (crash)
      ends = Duration(
          static_cast<long long>(crashes_.Uniform() * static_cast<double>(length.count())));
    const Time shown = cache_.VisibleFrom(now);
    if (shown <= now + ends && shown <= end_) {
      staleness_.push_back((shown - now).count());
    } else {
      ++result_.statuses_never_shown;
    }
    if (crash) ++result_.matches_crashed;
    Pending end;
    end.at = now + ends;
    end.kind = Kind::kMatchEnd;
    end.payload = payload;
    end.crash = crash;
    Schedule(std::move(end));
  }

  const Plan& plan_;
  const Progress& progress_;
  const Time start_;
  const Time end_;
  VirtualClock clock_;
  store::MemoryWorldStore store_;
  core::World world_;
  core::StatusCache cache_;
  Random arrivals_;
  Random matches_;
  Random start_ups_;
  Random crashes_;
  std::priority_queue<Pending, std::vector<Pending>, Later> queue_;
  long long next_order_ = 0;
  std::array<int, kGroups> counts_{};
  Time accounted_ = start_;
  long long bucket_ms_ = 1;
  std::vector<long long> time_to_session_;
  std::vector<long long> staleness_;
  // The start-up of each revision's game servers ([0] unused).
  std::vector<const Distribution*> ready_after_by_revision_;
  std::optional<size_t> open_rollout_;  // the build rolling out now
  int revision_ = 1;                    // the allocation's current build
  Result result_;
};

}  // namespace

const char* GroupName(Group group) {
  switch (group) {
    case Group::kStarting:
      return "starting";
    case Group::kReady:
      return "ready";
    case Group::kReserved:
      return "reserved";
    case Group::kLeaving:
      return "leaving";
  }
  return "";
}

core::Fixture FixtureOf(const Plan& plan, const Settings& settings) {
  core::AllocationSpec spec;
  spec.name = "rehearsal";
  spec.annotations["session_type"] = plan.session_type;
  spec.buffer_size = settings.buffer_size;
  spec.min_payloads = settings.min_payloads;
  spec.max_payloads = settings.max_payloads;
  spec.payload_spec.ports.push_back({"GamePort", 7777, "UDP"});
  core::Fixture fixture;
  fixture.projects.push_back({kProject, {{std::string(kAllocation), std::move(spec)}}});
  return fixture;
}

std::optional<long long> RolloutResult::done_ms() const {
  if (!running_ms || !first_ready_ms) return std::nullopt;
  return std::max(*running_ms, *first_ready_ms);
}

double Result::refused_fraction() const {
  return requests == 0 ? 0 : static_cast<double>(refused) / static_cast<double>(requests);
}

double Result::hours(Group group) const {
  return static_cast<double>(payload_ms[static_cast<size_t>(group)]) / 3600000.0;
}

double Result::payload_hours() const {
  long long sum = 0;
  for (long long ms : payload_ms) sum += ms;
  return static_cast<double>(sum) / 3600000.0;
}

Result Simulate(const Plan& plan, const Settings& settings, const Progress& progress) {
  return Simulation(plan, settings, progress).Run();
}

}  // namespace imsemu::rehearse
