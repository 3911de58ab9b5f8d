// Measures, in one run and side by side:
//  1. GET /api/v0/payload throughput with 8 keep-alive connections, on a
//     payload's own listener and on the main port's /payloads/{id} prefix,
//     against a bare cpp-httplib endpoint that returns a body of the same
//     size (target: at least 70% of the bare endpoint);
//  2. single-connection median latency of the same call (target: < 200 us);
//  3. in-process EmulatorImpl start+stop with the default fixture (target: median
//     under 20 ms).
// Usage: payload_api_bench [seconds-per-throughput-run] [fixture]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "bench/bench_util.h"

#include "emulator/codec/allocation_json.h"
#include "emulator/emulator.h"

namespace {

using Clock = std::chrono::steady_clock;
using imsemu::bench::Median;

struct Target {
  std::string host;
  int port;
  std::string path;
};

double Throughput(const Target& t, int connections, double seconds) {
  std::atomic<long> done{0};
  std::atomic<long> failed{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < connections; ++i) {
    threads.emplace_back([&] {
      httplib::Client c(t.host, t.port);
      c.set_tcp_nodelay(true);
      c.set_keep_alive(true);
      long n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        auto r = c.Get(t.path.c_str());
        if (r && r->status == 200) {
          ++n;
        } else {
          ++failed;
        }
      }
      done += n;
    });
  }
  const auto start = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : threads) th.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  if (failed > 0) std::fprintf(stderr, "warning: %ld failed requests\n", failed.load());
  return static_cast<double>(done) / elapsed;
}

double MedianLatencyUs(const Target& t, int requests) {
  httplib::Client c(t.host, t.port);
  c.set_tcp_nodelay(true);
  c.set_keep_alive(true);
  std::vector<double> us;
  us.reserve(static_cast<size_t>(requests));
  for (int i = 0; i < requests; ++i) {
    const auto start = Clock::now();
    auto r = c.Get(t.path.c_str());
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    if (!r || r->status != 200) std::fprintf(stderr, "warning: request failed\n");
  }
  return Median(std::move(us));
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
  const std::string fixture_path = argc > 2 ? argv[2] : "fixtures/default.json";
  imsemu::EmulatorOptions options;
  options.virtual_clock = false;
  auto emulator = imsemu::bench::StartOnFixture(fixture_path, options);
  imsemu::EmulatorImpl& e = *emulator;
  const std::string id = e.world().Snapshot().payloads.at(0).id;
  const std::string own = e.PayloadApiOf(id);
  const int own_port = std::stoi(own.substr(own.find(':') + 1));

  // The bare endpoint answers with a body of exactly the same size.
  httplib::Client probe("127.0.0.1", own_port);
  const std::string body = probe.Get("/api/v0/payload")->body;
  auto bare = std::make_unique<imsemu::bench::BareEndpoint>("/api/v0/payload", body);
  const int bare_port = bare->port();

  const Target bare_target{"127.0.0.1", bare_port, "/api/v0/payload"};
  const Target own_target{"127.0.0.1", own_port, "/api/v0/payload"};
  const Target shared_target{"127.0.0.1", e.port(), "/payloads/" + id + "/api/v0/payload"};

  // Interleaved rounds, so drift on a shared machine hits all three alike.
  std::vector<double> bare_runs, own_runs, shared_runs;
  for (int round = 0; round < 3; ++round) {
    bare_runs.push_back(Throughput(bare_target, 8, seconds / 3));
    own_runs.push_back(Throughput(own_target, 8, seconds / 3));
    shared_runs.push_back(Throughput(shared_target, 8, seconds / 3));
  }
  const double bare_rps = Median(bare_runs);
  const double own_rps = Median(own_runs);
  const double shared_rps = Median(shared_runs);
  const double bare_us = MedianLatencyUs(bare_target, 5000);
  const double own_us = MedianLatencyUs(own_target, 5000);
  const double shared_us = MedianLatencyUs(shared_target, 5000);
  bare.reset();
  e.Stop();

  std::vector<double> start_stop_ms;
  const imsemu::core::Fixture fixture = *imsemu::codec::LoadFixtureFile(fixture_path);
  for (int i = 0; i < 50; ++i) {
    imsemu::EmulatorOptions o;
    o.fixture = fixture;
    const auto start = Clock::now();
    auto started = imsemu::EmulatorImpl::Start(o);
    (*started)->Stop();
    start_stop_ms.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }

  std::printf("| measure | value | target |\n|---|---|---|\n");
  std::printf("| body size (bytes) | %zu | |\n", body.size());
  std::printf("| bare cpp-httplib, 8 connections (req/s) | %.0f | |\n", bare_rps);
  std::printf(
      "| GET /api/v0/payload, own port, 8 connections (req/s) | %.0f (%.0f%% of bare) | >= 70%% "
      "|\n",
      own_rps, 100.0 * own_rps / bare_rps);
  std::printf(
      "| GET /api/v0/payload, shared port, 8 connections (req/s) | %.0f (%.0f%% of bare) | >= 70%% "
      "|\n",
      shared_rps, 100.0 * shared_rps / bare_rps);
  std::printf("| bare cpp-httplib, 1 connection, median (us) | %.0f | |\n", bare_us);
  std::printf("| GET /api/v0/payload, own port, 1 connection, median (us) | %.0f | < 200 |\n",
              own_us);
  std::printf("| GET /api/v0/payload, shared port, 1 connection, median (us) | %.0f | < 200 |\n",
              shared_us);
  std::printf("| EmulatorImpl start+stop, default fixture, median of 50 (ms) | %.2f | < 20 |\n",
              Median(start_stop_ms));
  return 0;
}
