// The rehearsal plan loader: any text as a plan file. Errors name the file
// and line; files the plan names are refused (no disk reads while fuzzing).
#include "emulator/rehearse/plan_loader.h"
#include "emulator/rehearse/simulation.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace imsemu;
  StatusOr<rehearse::Plan> plan =
      rehearse::ParsePlan(std::string(fuzz::AsText(data, size)), "fuzz.yaml",
                          [](const std::string& path) -> StatusOr<std::string> {
                            if (path == "rates.csv")
                              return std::string("minute,per_minute\n0,5\n3,9\n");
                            return InvalidArgument("cannot read '" + path + "'");
                          });
  if (!plan.ok() && plan.status().message().rfind("fuzz.yaml:", 0) != 0) std::abort();
  if (plan.ok()) {
    // What the loader accepts, the simulation can run: every setting makes a
    // valid allocation (Simulate aborts on one that is not).
    if (plan->arrivals.MaxRate() < 0) std::abort();
    // New builds ship in order, within the plan (the simulation schedules
    // each and reports them in this order).
    Duration last(-1);
    for (const rehearse::Rollout& r : plan->rollouts) {
      if (r.at <= last || r.at >= plan->duration) std::abort();
      last = r.at;
    }
    for (const rehearse::Settings& s : plan->SweptSettings()) {
      const core::Fixture fixture = rehearse::FixtureOf(*plan, s);
      if (!core::ValidateAllocationSpec(fixture.projects[0].allocations[0].spec).ok()) {
        std::abort();
      }
    }
  }
  return 0;
}
