#include "emulator/http/payload_listeners.h"

#include <spdlog/spdlog.h>

#include "emulator/http/payload_local_api.h"

namespace imsemu::http {

// Workers start only when connections come (see WorkerPool), so an idle
// listener costs no thread; eight match cpp-httplib's own default.
inline constexpr size_t kListenerThreads = 8;

PayloadListeners::PayloadListeners(core::World& world, RequestIds& ids, std::string host,
                                   std::optional<int> fixed_port)
    : world_(world), ids_(ids), host_(std::move(host)), fixed_port_(fixed_port), reaper_([this] {
        Reap();
      }) {}

PayloadListeners::~PayloadListeners() { StopAll(); }

void PayloadListeners::OnPayloadAdded(const core::Payload& payload) {
  auto server = std::make_unique<HttpServer>(ids_, kListenerThreads);
  const std::string id = payload.id;
  MountPayloadLocalApi(server->routes(), world_, ids_, "",
                       [id](const httplib::Request&) { return id; });
  Status s = server->Start(host_, fixed_port_.value_or(0));
  if (!s.ok()) {
    spdlog::error("payload {}: cannot open its Payload Local API listener: {}", id, s.message());
    return;
  }
  std::lock_guard lock(mu_);
  listeners_[id] = std::move(server);
}

void PayloadListeners::OnPayloadRemoved(const std::string& payload_id) {
  std::lock_guard lock(mu_);
  auto it = listeners_.find(payload_id);
  if (it == listeners_.end()) return;
  it->second->RequestStop();
  retired_.push_back(std::move(it->second));
  listeners_.erase(it);
  reap_wanted_.notify_one();
}

std::optional<int> PayloadListeners::PortOf(const std::string& payload_id) const {
  std::lock_guard lock(mu_);
  auto it = listeners_.find(payload_id);
  if (it == listeners_.end()) return std::nullopt;
  return it->second->port();
}

void PayloadListeners::Reap() {
  std::unique_lock lock(mu_);
  while (true) {
    reap_wanted_.wait(lock, [this] { return stopping_ || !retired_.empty(); });
    std::vector<std::unique_ptr<HttpServer>> batch;
    batch.swap(retired_);
    lock.unlock();
    batch.clear();  // joins each listener's thread
    lock.lock();
    if (stopping_ && retired_.empty()) return;
  }
}

void PayloadListeners::StopAll() {
  std::map<std::string, std::unique_ptr<HttpServer>> open;
  {
    std::lock_guard lock(mu_);
    open.swap(listeners_);
    for (auto& [id, server] : open) server->RequestStop();
    stopping_ = true;
    reap_wanted_.notify_one();
  }
  open.clear();
  if (reaper_.joinable()) reaper_.join();
}

}  // namespace imsemu::http
