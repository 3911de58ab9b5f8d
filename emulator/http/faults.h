// Faults: endpoints made to misbehave on purpose, for tests and scenarios.
//
// A fault names an API surface and a path pattern (a regex matched against
// the whole path) and answers with a status code (in the surface's error
// shape) and/or after a delay, for the next N matching calls or with a
// probability drawn from a seeded source, so a run replays exactly. The
// control API is never faulted, so faults can always be listed and cleared.
// Thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <httplib.h>

#include "emulator/util/id_source.h"
#include "emulator/util/mutex.h"
#include "ims_emulator/status.h"

namespace imsemu::http {

enum class Api { kAny, kPayloadLocal, kSessionManager, kOrchestration, kControl };

const char* ApiName(Api api);
std::optional<Api> ParseApi(const std::string& name);
// Every name, "any, payload-local, ...", for error messages.
std::string ApiNames();
// Which API `path` belongs to.
Api ApiOfPath(const std::string& path);

struct FaultSpec {
  Api api = Api::kAny;
  std::string method;        // "" for any
  std::string path_pattern;  // regex over the whole path; "" for any
  int status = 0;            // 0: no status fault (delay only)
  std::chrono::milliseconds delay{0};
  int times = -1;            // calls left; -1 for no limit
  double probability = 1.0;  // chance that a matching call fires
  std::string message = "injected fault";
};

struct Fault {
  long long id = 0;
  FaultSpec spec;
  long long matched = 0;
  long long fired = 0;
};

class Faults {
 public:
  explicit Faults(uint64_t seed) : random_(seed ^ 0xfa17ULL) {}

  // InvalidArgument for a bad pattern, status, probability or delay.
  StatusOr<Fault> Add(FaultSpec spec);
  std::vector<Fault> List() const;
  // Puts back faults as List() gave them (a snapshot's): their ids, what is
  // left of them and their counts. All or nothing: InvalidArgument, naming
  // the fault, changes nothing. Probabilities draw on from the seed's stream
  // as it stands, not as it stood.
  Status Replace(const std::vector<Fault>& faults);
  void Clear();
  void Remove(long long id);

  // The fault that fires for this request, if any (counting it).
  std::optional<Fault> Fire(const std::string& method, const std::string& path);

 private:
  struct Rule {
    Fault fault;
    std::regex pattern;
  };
  mutable Mutex mu_;
  std::vector<Rule> rules_ IMSEMU_GUARDED_BY(mu_);
  long long next_id_ IMSEMU_GUARDED_BY(mu_) = 1;
  IdSource random_ IMSEMU_GUARDED_BY(mu_);
};

}  // namespace imsemu::http
