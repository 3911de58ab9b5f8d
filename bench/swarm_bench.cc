// Many clients at once, each on its own keep-alive connection, side by side
// with a bare cpp-httplib endpoint serving a body of the same size:
//  swarm: N clients each send one request a second (staggered), optionally
//    with H half-open connections held (a request begun and never finished,
//    reopened whenever the server drops one); a fresh client is timed now
//    and then while they are held;
//  flood: N connections each send their next request as soon as the last
//    is answered (as wrk does).
// A request fails on a non-200 answer, a dropped connection, or no answer
// within 5 s (then the client reconnects, as a real one would).
// Usage: swarm_bench [seconds]   (prints markdown table rows)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "bench/bench_util.h"
#include "emulator/codec/allocation_json.h"
#include "emulator/emulator.h"

namespace {

using imsemu::bench::Median;
using imsemu::bench::Ms;
using imsemu::bench::SteadyClock;

constexpr double kTimeoutMs = 5000;

int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  int yes = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  return fd;
}

// The status of the whole response at the front of `in` and its length, or
// {0, 0} while it is incomplete.
std::pair<int, size_t> WholeResponse(const std::string& in) {
  const size_t end = in.find("\r\n\r\n");
  if (end == std::string::npos || in.size() < 12) return {0, 0};
  size_t length = 0;
  const size_t at = in.find("Content-Length: ");
  if (at != std::string::npos && at < end) length = std::stoul(in.substr(at + 16));
  if (in.size() < end + 4 + length) return {0, 0};
  return {std::stoi(in.substr(9, 3)), end + 4 + length};
}

struct Load {
  int port = 0;
  std::string request;  // one whole request
  int connections = 0;
  double interval_ms = 0;  // between a client's requests; 0: as fast as answered
  double seconds = 0;
  int half_open = 0;
};

struct Outcome {
  long ok = 0;
  long failed = 0;   // an error answer, a dropped connection, or 5 s without an answer
  long starved = 0;  // clients that never got an answer in the whole run
  std::vector<double> latency_ms;
  std::vector<double> fresh_ms;  // a fresh client's connect + answer, while the load runs
  long threads = 0;              // of this process, at the end, connections still open
  long rss_mb = 0;

  double P(double q) const {
    if (latency_ms.empty()) return 0;
    std::vector<double> v = latency_ms;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
  }
};

long ProcStatus(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::stol(line.substr(std::string(key).size()));
  }
  return 0;
}

double FreshClientMs(int port, const std::string& request) {
  const auto start = SteadyClock::now();
  const int fd = Connect(port);
  if (fd < 0) return kTimeoutMs;
  timeval limit{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  std::string in;
  (void)!send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  char buf[8192];
  while (WholeResponse(in).second == 0) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    in.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return WholeResponse(in).first == 200 ? Ms(SteadyClock::now() - start) : kTimeoutMs;
}

// Connects without waiting: the connection completes (EPOLLOUT) later.
int ConnectLater(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  int yes = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  return fd;
}

Outcome Run(const Load& load) {
  struct Client {
    int fd = -1;
    bool connected = false;
    bool waiting = false;  // a request is due or sent, and not answered
    bool unsent = false;   // ... and waits for the connection to be sent
    double sent_at = 0;
    double next_at = 0;
    std::string in;
    long answered = 0;  // survives reconnects
  };
  Outcome out;
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  std::vector<Client> clients(static_cast<size_t>(load.connections + load.half_open));
  const std::string partial = load.request.substr(0, load.request.size() - 2);  // no last CRLF
  auto is_half_open = [&](int i) { return i >= load.connections; };
  auto open = [&](int i) {
    Client& c = clients[static_cast<size_t>(i)];
    if (c.fd >= 0) close(c.fd);
    c = Client{ConnectLater(load.port), false, false, false, 0, c.next_at, "", c.answered};
    if (c.fd < 0) return;
    epoll_event ev{};
    ev.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP;
    ev.data.u32 = static_cast<uint32_t>(i);
    epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
  };
  auto send_request = [&](Client& c) {
    c.unsent = false;
    return send(c.fd, load.request.data(), load.request.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(load.request.size());
  };
  const auto start = SteadyClock::now();
  auto now = [&] { return Ms(SteadyClock::now() - start); };
  for (int i = 0; i < load.connections + load.half_open; ++i) {
    clients[static_cast<size_t>(i)].next_at = load.interval_ms * i / load.connections;
    open(i);
  }
  const double end_ms = load.seconds * 1000;
  double next_fresh = 500;
  epoll_event events[512];
  while (now() < end_ms) {
    for (int i = 0; i < load.connections; ++i) {
      Client& c = clients[static_cast<size_t>(i)];
      const double t = now();
      if (c.waiting && t - c.sent_at > kTimeoutMs) {
        ++out.failed;
        open(i);
      }
      if (!c.waiting && c.fd >= 0 && t >= c.next_at) {
        c.waiting = true;
        c.unsent = true;
        c.sent_at = t;
        c.next_at = load.interval_ms > 0 ? c.next_at + load.interval_ms : t;
        if (c.connected && !send_request(c)) {
          ++out.failed;
          open(i);
        }
      }
    }
    if (load.half_open > 0 && now() >= next_fresh) {
      out.fresh_ms.push_back(FreshClientMs(load.port, load.request));
      next_fresh += 1000;
    }
    const int n = epoll_wait(ep, events, 512, 1);
    for (int k = 0; k < n; ++k) {
      const int i = static_cast<int>(events[k].data.u32);
      Client& c = clients[static_cast<size_t>(i)];
      if (!c.connected && (events[k].events & EPOLLOUT) != 0) {
        int error = 0;
        socklen_t size = sizeof error;
        getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &size);
        if (error != 0) {
          if (c.waiting) ++out.failed;
          open(i);
          continue;
        }
        c.connected = true;
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.u32 = static_cast<uint32_t>(i);
        epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
        if (is_half_open(i)) {
          (void)!send(c.fd, partial.data(), partial.size(), MSG_NOSIGNAL);
        } else if (c.unsent && !send_request(c)) {
          ++out.failed;
          open(i);
          continue;
        }
      }
      char buf[16384];
      ssize_t got;
      while ((got = recv(c.fd, buf, sizeof buf, MSG_DONTWAIT)) > 0) {
        c.in.append(buf, static_cast<size_t>(got));
      }
      const bool closed = got == 0;
      if (is_half_open(i)) {
        if (closed) open(i);  // the server dropped a half-open one: hold another
        continue;
      }
      auto [status, length] = WholeResponse(c.in);
      if (length > 0 && c.waiting) {
        c.waiting = false;
        if (status == 200) {
          ++out.ok;
          ++c.answered;
          out.latency_ms.push_back(now() - c.sent_at);
        } else {
          ++out.failed;
        }
        c.in.erase(0, length);
      }
      if (closed) {
        if (c.waiting) ++out.failed;
        open(i);
      }
    }
  }
  for (int i = 0; i < load.connections; ++i) {
    const Client& c = clients[static_cast<size_t>(i)];
    out.starved += c.answered == 0 ? 1 : 0;
  }
  out.threads = ProcStatus("Threads:");
  out.rss_mb = ProcStatus("VmRSS:") / 1024;
  for (Client& c : clients) {
    if (c.fd >= 0) close(c.fd);
  }
  close(ep);
  return out;
}

void Row(const char* what, const Outcome& o, const char* target) {
  std::printf(
      "| %s | %ld ok, %ld failed, %ld clients never answered; p50 %.2f ms, p99 %.2f ms, max %.1f "
      "ms "
      "| %s |\n",
      what, o.ok, o.failed, o.starved, o.P(0.5), o.P(0.99), o.P(1.0), target);
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 8.0;
  imsemu::EmulatorOptions options;
  options.payload_listeners = false;
  auto emulator = imsemu::bench::StartOnFixture("fixtures/default.json", options);
  imsemu::EmulatorImpl& e = *emulator;
  const std::string project = e.ProjectIds().at(0);
  const std::string id = e.world().Snapshot().payloads.at(0).id;
  const std::string host = "Host: 127.0.0.1\r\n";
  const std::string list = "GET /api/v0/projects/" + project +
                           "/sessions?session_type=default HTTP/1.1\r\n" + host +
                           "Authorization: Bearer swarm/bench\r\n\r\n";
  const std::string payload =
      "GET /payloads/" + id + "/api/v0/payload HTTP/1.1\r\n" + host + "\r\n";

  // The bare endpoint answers the payload GET with a body of the same size.
  httplib::Client probe("127.0.0.1", e.port());
  const std::string body = probe.Get(("/payloads/" + id + "/api/v0/payload").c_str())->body;
  imsemu::bench::BareEndpoint bare(R"(/payloads/([^/]+)/api/v0/payload)", body);
  const int bare_port = bare.port();

  const long threads_before = ProcStatus("Threads:");
  for (int n : {1000}) {
    Outcome o = Run({e.port(), list, n, 1000, seconds, 0});
    char what[160];
    std::snprintf(what, sizeof what,
                  "swarm: %d clients, List Sessions once a second each, keep-alive", n);
    Row(what, o, "no failure, p99 < 20 ms");
    std::printf(
        "| process threads / resident memory during that swarm | %ld (%ld before) / %ld MB | |\n",
        o.threads, threads_before, o.rss_mb);
  }
  {
    Outcome o = Run({e.port(), payload, 1000, 1000, seconds, 100});
    Row("swarm: 1000 clients, shared-port GET payload once a second, + 100 half-open held", o,
        "no failure, p99 < 20 ms");
    std::printf(
        "| a fresh client while 100 half-open connections are held: median / max (ms) | "
        "%.2f / %.2f | answered at once |\n",
        Median(o.fresh_ms),
        o.fresh_ms.empty() ? 0.0 : *std::max_element(o.fresh_ms.begin(), o.fresh_ms.end()));
  }
  {
    Outcome o = Run({bare_port, payload, 1000, 1000, seconds, 0});
    Row("bare cpp-httplib (same body), swarm of 1000, once a second", o, "baseline");
  }
  for (int n : {500, 1000}) {
    char what[160];
    Outcome emu = Run({e.port(), payload, n, 0, seconds / 2, 0});
    std::snprintf(what, sizeof what, "flood: %d connections, shared-port GET payload, closed loop",
                  n);
    Row(what, emu, "no error or timeout");
    Outcome b = Run({bare_port, payload, n, 0, seconds / 2, 0});
    std::snprintf(what, sizeof what, "bare cpp-httplib, flood: %d connections", n);
    Row(what, b, "baseline");
  }
  e.Stop();
  return 0;
}
