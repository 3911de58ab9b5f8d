// The GoogleTest harness of ims_emulator/gtest.h.
#include "ims_emulator/gtest.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "emulator/clock/stopwatch.h"
#include "emulator/harness/attached_emulator.h"
#include "emulator/harness/scenario_runner.h"
#include "emulator/scenario/scenario_loader.h"
#include "emulator/util/rfc3339.h"

namespace imsemu_testing {
namespace {

using imsemu::ControlClient;
using imsemu::Status;
using imsemu::StatusOr;
using imsemu::WorldState;

// The journal lines a failure shows at most (the newest).
constexpr size_t kJournalLines = 200;

std::string Environment(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

std::string Describe(const WorldState& w) {
  std::string out = "the clock at " + w.clock.now + "; payloads:";
  if (w.payloads.empty()) out += " none";
  for (const imsemu::WorldPayload& p : w.payloads) {
    out += " " + p.info.id + "=" + p.info.state;
  }
  for (const imsemu::WorldSession& s : w.sessions) {
    out += "; session " + s.id + " set " + ::testing::PrintToString(s.session_status) +
           ", clients see " + ::testing::PrintToString(s.clients_see);
  }
  return out;
}

// Observers hear an in-process emulator only: using one attached is said.
void SayObserversAreInProcessOnly(bool attached, const char* what) {
  if (!attached) return;
  ADD_FAILURE() << what
                << "() hears the calls to an in-process emulator only; this test is attached "
                   "to IMS_EMULATOR_URL (skip it there: if (attached()) GTEST_SKIP())";
}

}  // namespace

::testing::AssertionResult WaitUntil(ControlClient& control, const std::string& what,
                                     const std::function<bool(const WorldState&)>& done,
                                     const WaitLimits& limits) {
  const imsemu::Stopwatch real_time;  // a real game server is not on the virtual clock
  long long start_ms = -1;
  while (true) {
    StatusOr<WorldState> state = control.State();
    if (!state.ok()) {
      return ::testing::AssertionFailure()
             << "waiting for " << what << ": cannot read the state: " << state.status();
    }
    if (done(*state)) return ::testing::AssertionSuccess();
    const imsemu::ClockInfo& clock = state->clock;
    if (start_ms < 0) start_ms = clock.unix_ms;
    // Under the virtual clock, move to the next deadline if this wait may.
    std::optional<imsemu::Time> next;
    if (clock.is_virtual && clock.next_timer) next = imsemu::ParseRfc3339(*clock.next_timer);
    const bool may_advance =
        next && next->time_since_epoch().count() - start_ms <= limits.virtual_time.count();
    if (may_advance) {
      if (Status s = control.AdvanceToNextTimer(); !s.ok()) {
        return ::testing::AssertionFailure()
               << "waiting for " << what << ": cannot advance the clock: " << s;
      }
      continue;
    }
    // Under the virtual clock, only a game-server process (or one of the
    // test's own, said by the limits) changes the world by itself.
    const bool something_acts =
        !clock.is_virtual || limits.outside_game_servers ||
        std::any_of(state->allocations.begin(), state->allocations.end(),
                    [](const imsemu::AllocationInfo& a) { return a.runs_game_servers; });
    if (!something_acts || real_time.Elapsed() >= limits.real_time) {
      ::testing::AssertionResult failed = ::testing::AssertionFailure();
      failed << "waited in vain for " << what << ": the virtual clock moved "
             << clock.unix_ms - start_ms << " ms, ";
      if (next) {
        failed << "and its next deadline (" << *clock.next_timer << ") is past the wait's "
               << limits.virtual_time.count() << " ms; ";
      } else {
        failed << "and nothing is armed on it; ";
      }
      if (!something_acts) {
        failed << "nothing else can change this world (no allocation runs a game-server "
                  "process), so the wait ended at once (a game server this test runs itself: "
                  "WaitLimits::outside_game_servers); ";
      } else {
        failed << "nothing changed it in " << limits.real_time.count() << " ms of real time; ";
      }
      return failed << "at the end, " << Describe(*state);
    }
    std::this_thread::sleep_for(limits.poll_every);
  }
}

::testing::AssertionResult WaitForPayloadState(ControlClient& control,
                                               const std::string& payload_id,
                                               const std::string& state, const WaitLimits& limits) {
  return WaitUntil(
      control, "payload " + payload_id + " to be " + state,
      [&](const WorldState& w) {
        const imsemu::WorldPayload* p = w.FindPayload(payload_id);
        return p != nullptr && p->info.state == state;
      },
      limits);
}

::testing::AssertionResult WaitForClientsToSee(ControlClient& control,
                                               const std::string& session_id,
                                               const std::string& key, const std::string& value,
                                               const WaitLimits& limits) {
  return WaitUntil(
      control, "clients to see " + key + "=" + value + " in session " + session_id,
      [&](const WorldState& w) {
        const imsemu::WorldSession* s = w.FindSession(session_id);
        if (s == nullptr) return false;
        auto it = s->clients_see.find(key);
        return it != s->clients_see.end() && it->second == value;
      },
      limits);
}

bool EmulatorTest::attached() const {
  return emulator_ ? attached_ : !Environment("IMS_EMULATOR_URL").empty();
}

void EmulatorTest::SetUp() {
  if (StartsInSetUp()) StartEmulator();
}

void EmulatorTest::StartEmulator() {
  if (control_) return;  // the last thing a start makes
  imsemu::EmulatorConfig config = Config();
  cache_ttl_ =
      config.status_cache == "off" ? std::chrono::milliseconds(0) : config.status_cache_ttl;
  const std::string url = Environment("IMS_EMULATOR_URL");
  attached_ = !url.empty();
  if (attached_) {
    StatusOr<std::unique_ptr<imsemu::Emulator>> attached =
        imsemu::harness::AttachedEmulator::Attach(url);
    ASSERT_TRUE(attached.ok()) << "cannot use the emulator at IMS_EMULATOR_URL=" << url << ": "
                               << attached.status();
    emulator_ = *std::move(attached);
    const Status reset = emulator_->Reset();
    ASSERT_TRUE(reset.ok()) << "cannot reset the emulator at " << url << ": " << reset;
  } else {
    config.game_server_observers.push_back(&game_servers_);
    config.game_client_observers.push_back(&game_clients_);
    StatusOr<std::unique_ptr<imsemu::Emulator>> started = imsemu::Emulator::Start(config);
    ASSERT_TRUE(started.ok()) << "the emulator did not start: " << started.status();
    emulator_ = *std::move(started);
  }
  std::string project = attached_ ? Environment("IMS_EMULATOR_PROJECT") : "";
  if (project.empty()) {
    const std::vector<std::string> projects = emulator_->ProjectIds();
    project = projects.empty() ? "local-project" : projects.front();
  }
  session_manager_ = std::make_unique<imsemu::SessionManagerClient>(emulator_->base_url(), project);
  control_ = std::make_unique<ControlClient>(emulator_->base_url());
}

void EmulatorTest::TearDown() {
  // The observers' expectations are judged now, while the emulator still
  // runs, so that an unmet one comes with the journal below (gMock would
  // judge them after TearDown, with nothing beside them).
  ::testing::Mock::VerifyAndClearExpectations(&game_servers_);
  ::testing::Mock::VerifyAndClearExpectations(&game_clients_);
  if (control_ && HasFailure()) {
    StatusOr<std::vector<std::string>> journal = control_->Journal();
    std::string text;
    if (journal.ok()) {
      const size_t skip = journal->size() > kJournalLines ? journal->size() - kJournalLines : 0;
      if (skip > 0) text += "  (" + std::to_string(skip) + " earlier events left out)\n";
      for (size_t i = skip; i < journal->size(); ++i) text += "  " + (*journal)[i] + "\n";
    } else {
      text = "  (cannot read it: " + journal.status().ToString() + ")\n";
    }
    ADD_FAILURE() << "The emulator's journal at the end of this failed test:\n" << text;
  }
  session_manager_.reset();  // close their connections first
  control_.reset();
  if (emulator_) emulator_->Stop();
}

::testing::NiceMock<MockGameServerObserver>& EmulatorTest::game_servers() {
  SayObserversAreInProcessOnly(attached(), "game_servers");
  return game_servers_;
}

::testing::NiceMock<MockGameClientObserver>& EmulatorTest::game_clients() {
  SayObserversAreInProcessOnly(attached(), "game_clients");
  return game_clients_;
}

void EmulatorTest::EnsureStarted() {
  StartEmulator();
  if (!control_) {
    throw std::runtime_error("the emulator did not start (the failure above says why)");
  }
}

imsemu::Emulator& EmulatorTest::emulator() {
  EnsureStarted();
  return *emulator_;
}

imsemu::SessionManagerClient& EmulatorTest::session_manager() {
  EnsureStarted();
  return *session_manager_;
}

ControlClient& EmulatorTest::control() {
  EnsureStarted();
  return *control_;
}

imsemu::PayloadClient EmulatorTest::payload(const std::string& payload_id) {
  return imsemu::PayloadClient(emulator().PayloadApiOf(payload_id));
}

void EmulatorTest::Advance(std::chrono::milliseconds d) {
  Status s = emulator().AdvanceClock(d);
  ASSERT_TRUE(s.ok()) << s;
}

void EmulatorTest::AdvancePastStatusCache() { Advance(cache_ttl_ + std::chrono::milliseconds(1)); }

WaitLimits EmulatorTest::WithOutsiders(WaitLimits limits) const {
  // An attached emulator's game servers may be anyone's processes.
  limits.outside_game_servers = limits.outside_game_servers || attached();
  return limits;
}

::testing::AssertionResult EmulatorTest::WaitUntil(
    const std::string& what, const std::function<bool(const WorldState&)>& done,
    const WaitLimits& limits) {
  return imsemu_testing::WaitUntil(control(), what, done, WithOutsiders(limits));
}

::testing::AssertionResult EmulatorTest::WaitForPayloadState(const std::string& payload_id,
                                                             const std::string& state,
                                                             const WaitLimits& limits) {
  return imsemu_testing::WaitForPayloadState(control(), payload_id, state, WithOutsiders(limits));
}

::testing::AssertionResult EmulatorTest::WaitForClientsToSee(const std::string& session_id,
                                                             const std::string& key,
                                                             const std::string& value,
                                                             const WaitLimits& limits) {
  return imsemu_testing::WaitForClientsToSee(control(), session_id, key, value,
                                             WithOutsiders(limits));
}

::testing::AssertionResult ScenarioPasses(const std::string& file) {
  StatusOr<imsemu::scenario::Scenario> loaded = imsemu::scenario::LoadScenario(file);
  if (!loaded.ok()) return ::testing::AssertionFailure() << loaded.status().message();
  imsemu::scenario::ScenarioResult result = imsemu::scenario::RunScenario(*loaded, {});
  if (result.passed()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << result.report;
}

}  // namespace imsemu_testing
