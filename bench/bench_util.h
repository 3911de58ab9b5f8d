// Small measures shared by the benchmarks.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "emulator/codec/allocation_json.h"
#include "emulator/emulator.h"

namespace imsemu::bench {

using SteadyClock = std::chrono::steady_clock;

inline double Ms(SteadyClock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// The median of `v` (the upper one of an even count); 0 for none.
inline double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// An emulator on the fixture file at `path`, with `options` otherwise; exits
// the benchmark if it cannot start.
inline std::unique_ptr<EmulatorImpl> StartOnFixture(const std::string& path,
                                                    EmulatorOptions options = {}) {
  auto fixture = codec::LoadFixtureFile(path);
  if (!fixture.ok()) {
    std::fprintf(stderr, "%s\n", fixture.status().message().c_str());
    std::exit(1);
  }
  options.fixture = *fixture;
  auto emulator = EmulatorImpl::Start(std::move(options));
  if (!emulator.ok()) {
    std::fprintf(stderr, "cannot start: %s\n", emulator.status().message().c_str());
    std::exit(1);
  }
  return *std::move(emulator);
}

// A bare cpp-httplib server (its defaults, TCP_NODELAY on) answering GET
// `pattern` with `body`: the baseline the emulator is measured against.
class BareEndpoint {
 public:
  BareEndpoint(const std::string& pattern, std::string body) : body_(std::move(body)) {
    server_.set_tcp_nodelay(true);
    server_.set_keep_alive_max_count(1000);
    server_.Get(pattern, [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(body_, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~BareEndpoint() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }

 private:
  const std::string body_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace imsemu::bench
