#include "emulator/http/payload_listeners.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "emulator/http/payload_local_api.h"
#include "emulator/util/api_routes.h"

namespace imsemu::http {

// Workers start only when connections come (see WorkerPool), so an idle
// listener costs no thread; eight match cpp-httplib's own default.
inline constexpr size_t kListenerThreads = 8;

PayloadListeners::PayloadListeners(core::World& world, RequestIds& ids, GameServerCalls& calls,
                                   const AccessPolicy& access, Faults* faults, std::string host,
                                   std::optional<int> fixed_port)
    : world_(world),
      ids_(ids),
      calls_(calls),
      access_(access),
      faults_(faults),
      host_(std::move(host)),
      fixed_port_(fixed_port),
      thread_([this] { Run(); }) {}

PayloadListeners::~PayloadListeners() { StopAll(); }

StatusOr<std::unique_ptr<HttpServer>> PayloadListeners::Bind(const std::string& payload_id,
                                                             int port) {
  auto server = std::make_unique<HttpServer>(ids_, kListenerThreads, access_, faults_);
  server->ServeRoutesOf(routes::Listener::kPayload);
  MountPayloadLocalApi(server->routes(), world_, ids_, calls_, "",
                       [payload_id](const httplib::Request&) { return payload_id; });
  for (ExchangeObserver* observer : observers_) server->ObserveExchanges(observer, payload_id);
  if (world_.options().group_commit) server->BracketRequests(&group_commit_);
  IMSEMU_RETURN_IF_ERROR(server->Bind(host_, port));
  return server;
}

void PayloadListeners::OnPayloadAdded(const core::Payload& payload) {
  StatusOr<std::unique_ptr<HttpServer>> server =
      Bind(payload.id, fixed_port_.value_or(payload.api_port));
  if (!server.ok() && !fixed_port_ && payload.api_port != 0) {
    // Its port (kept from before a restart) is taken: any other will do, and
    // the user hears that the address changed.
    server = Bind(payload.id, 0);
    if (server.ok()) {
      std::string moved = "payload " + payload.id + "'s Payload Local API moved from port " +
                          std::to_string(payload.api_port) + " (taken) to " +
                          std::to_string((*server)->port());
      spdlog::warn("{}", moved);
      MutexLock lock(mu_);
      if (!moved_taken_) moved_.push_back(std::move(moved));
    }
  }
  if (!server.ok()) {
    spdlog::error("payload {}: cannot open its Payload Local API listener: {}", payload.id,
                  server.status().message());
    return;
  }
  MutexLock lock(mu_);
  if (payload.api_down_until) {
    // Resumed while its API is down: the port is its own, but nothing answers.
    const int port = (*server)->port();
    (*server)->RequestStop();
    retired_.push_back(*std::move(server));
    down_[payload.id] = HoldPort(port);
  } else {
    to_serve_.push_back(server->get());
    listeners_[payload.id] = *std::move(server);
  }
  work_.Signal();
}

void PayloadListeners::OnPayloadApiDown(const std::string& payload_id) {
  MutexLock lock(mu_);
  auto it = listeners_.find(payload_id);
  if (it == listeners_.end()) return;
  const int port = it->second->port();
  RetireLocked(payload_id);  // the listening socket closes now
  down_[payload_id] = HoldPort(port);
}

PayloadListeners::Down PayloadListeners::HoldPort(int port) const {
  Down down{port, -1};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host_.c_str(), &addr.sin_addr) != 1) return down;  // a name: not held
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return down;
  const int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return down;
  }
  down.holder = fd;
  return down;
}

void PayloadListeners::OnPayloadApiUp(const std::string& payload_id) {
  int port = 0;
  {
    MutexLock lock(mu_);
    auto it = down_.find(payload_id);
    if (it == down_.end()) return;
    port = it->second.port;
    if (it->second.holder >= 0) close(it->second.holder);  // the port is free for us again
    down_.erase(it);
  }
  StatusOr<std::unique_ptr<HttpServer>> server = Bind(payload_id, port);
  if (!server.ok()) {
    spdlog::error("payload {}: cannot listen again on port {}: {}", payload_id, port,
                  server.status().message());
    return;
  }
  MutexLock lock(mu_);
  to_serve_.push_back(server->get());
  listeners_[payload_id] = *std::move(server);
  work_.Signal();
}

void PayloadListeners::OnPayloadRemoved(const std::string& payload_id) {
  MutexLock lock(mu_);
  if (auto it = down_.find(payload_id); it != down_.end()) {
    if (it->second.holder >= 0) close(it->second.holder);
    down_.erase(it);
  }
  RetireLocked(payload_id);
}

void PayloadListeners::RetireLocked(const std::string& payload_id) {
  auto it = listeners_.find(payload_id);
  if (it == listeners_.end()) return;
  it->second->RequestStop();  // the port closes now; the thread ends later
  retired_.push_back(std::move(it->second));
  listeners_.erase(it);
  work_.Signal();
}

std::vector<std::string> PayloadListeners::TakeMoved() {
  MutexLock lock(mu_);
  moved_taken_ = true;  // later moves are only logged
  return std::exchange(moved_, {});
}

std::optional<int> PayloadListeners::PortOf(const std::string& payload_id) const {
  MutexLock lock(mu_);
  if (auto down = down_.find(payload_id); down != down_.end()) return down->second.port;
  auto it = listeners_.find(payload_id);
  if (it == listeners_.end()) return std::nullopt;
  return it->second->port();
}

void PayloadListeners::Run() {
  while (true) {
    std::vector<HttpServer*> serve;
    std::vector<std::unique_ptr<HttpServer>> batch;
    bool stopping = false;
    {
      MutexLock lock(mu_);
      while (!stopping_ && to_serve_.empty() && retired_.empty()) work_.Wait();
      serve.swap(to_serve_);
      batch.swap(retired_);
      stopping = stopping_;
    }
    // Only this thread destroys retired listeners, so each pointer is alive
    // here; one asked to stop before it was served does not serve.
    if (!stopping) {
      for (HttpServer* server : serve) server->Serve();
    }
    batch.clear();  // each was asked to stop: waits for its thread
    if (stopping) {
      MutexLock lock(mu_);
      if (retired_.empty()) return;
    }
  }
}

void PayloadListeners::StopAll() {
  std::map<std::string, std::unique_ptr<HttpServer>> open;
  {
    MutexLock lock(mu_);
    open.swap(listeners_);
    for (auto& [id, server] : open) server->RequestStop();
    for (auto& [id, down] : down_) {
      if (down.holder >= 0) close(down.holder);
      down.holder = -1;
    }
    stopping_ = true;
    to_serve_.clear();
    work_.Signal();
  }
  // The thread first, then the listeners: it may be in one's Serve().
  if (thread_.joinable()) thread_.join();
  open.clear();
}

}  // namespace imsemu::http
