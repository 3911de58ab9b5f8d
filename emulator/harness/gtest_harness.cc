// The GoogleTest harness of ims_emulator/gtest.h.
#include "ims_emulator/gtest.h"

#include "emulator/harness/scenario_runner.h"
#include "emulator/scenario/scenario_loader.h"

namespace imsemu::testing {

void EmulatorTest::SetUp() {
  const EmulatorConfig config = Config();
  cache_ttl_ =
      config.status_cache == "off" ? std::chrono::milliseconds(0) : config.status_cache_ttl;
  StatusOr<std::unique_ptr<Emulator>> started = Emulator::Start(config);
  ASSERT_TRUE(started.ok()) << "the emulator did not start: " << started.status().message();
  emulator_ = *std::move(started);
  emulator_->AddObserver(&game_servers_);
  const std::vector<std::string> projects = emulator_->ProjectIds();
  session_manager_ = std::make_unique<SessionManagerClient>(
      emulator_->base_url(), projects.empty() ? "local-project" : projects.front());
  control_ = std::make_unique<ControlClient>(emulator_->base_url());
}

void EmulatorTest::TearDown() {
  if (emulator_ && HasFailure()) {
    StatusOr<std::vector<std::string>> journal = control_->Journal();
    std::string text;
    if (journal.ok()) {
      for (const std::string& line : *journal) text += "  " + line + "\n";
    } else {
      text = "  (cannot read it: " + journal.status().message() + ")\n";
    }
    std::cout << "The emulator's journal:\n" << text;
  }
  session_manager_.reset();  // close their connections first
  control_.reset();
  if (emulator_) {
    emulator_->RemoveObserver(&game_servers_);
    emulator_->Stop();
  }
}

PayloadClient EmulatorTest::payload(const std::string& payload_id) {
  return PayloadClient(emulator_->PayloadApiOf(payload_id));
}

void EmulatorTest::Advance(std::chrono::milliseconds d) {
  Status s = emulator_->AdvanceClock(d);
  ASSERT_TRUE(s.ok()) << s.message();
}

void EmulatorTest::AdvancePastStatusCache() { Advance(cache_ttl_ + std::chrono::milliseconds(1)); }

::testing::AssertionResult ScenarioPasses(const std::string& file) {
  StatusOr<scenario::Scenario> loaded = scenario::LoadScenario(file);
  if (!loaded.ok()) return ::testing::AssertionFailure() << loaded.status().message();
  scenario::ScenarioResult result = scenario::RunScenario(*loaded, {});
  if (result.passed()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << result.report;
}

}  // namespace imsemu::testing
