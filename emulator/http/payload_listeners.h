// PayloadListeners: one loopback listener per payload serving its Payload
// Local API, so each game server gets its own ORCHESTRATION_PAYLOAD_API.
//
// Listeners open when the world adds a payload and close when it removes
// one. The world tells us under its lock, so only the cheap part happens
// there: binding the port (so PortOf() and ORCHESTRATION_PAYLOAD_API are
// right at once; early connections wait in the backlog) and asking a closed
// listener to stop (its handlers may be waiting for that lock). The
// listeners' own thread starts serving bound ones and waits for stopped ones,
// outside the world's lock. Ports are picked by the OS. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "emulator/core/world.h"
#include "emulator/http/group_commit.h"
#include "emulator/http/http_server.h"
#include "emulator/http/observers.h"
#include "emulator/util/mutex.h"

namespace imsemu::http {

class PayloadListeners final : public core::PayloadObserver {
 public:
  // `fixed_port`, when given, is where every payload's listener binds (IMS's
  // local mock serves its one payload on a fixed port); otherwise the OS
  // picks a free port for each.
  PayloadListeners(core::World& world, RequestIds& ids, GameServerCalls& calls,
                   const AccessPolicy& access, Faults* faults, std::string host,
                   std::optional<int> fixed_port = std::nullopt);
  ~PayloadListeners() override;

  void OnPayloadAdded(const core::Payload& payload) override;
  void OnPayloadRemoved(const std::string& payload_id) override;
  // Closes the listener, keeping its port; listens on it again when it is up.
  void OnPayloadApiDown(const std::string& payload_id) override;
  void OnPayloadApiUp(const std::string& payload_id) override;

  // The port of `payload_id`'s listener, if it has one (also while it is
  // taken down).
  std::optional<int> PortOf(const std::string& payload_id) const;
  // Which payloads could not listen on the port they had, in words: the
  // moves before the first call (a resume's); later ones are only logged.
  std::vector<std::string> TakeMoved();
  // Stops every listener and waits for them.
  void StopAll();
  // Set before the first payload is added: every listener's answers are
  // shown to `observer` before they are sent.
  void ObserveExchanges(ExchangeObserver* observer) { observers_.push_back(observer); }

 private:
  // The listeners' thread: serves what was bound, destroys what was retired.
  void Run();
  // Asks the listener of `payload_id` to stop (its port closes at once) and
  // hands it to the listeners' thread, which waits for it.
  void RetireLocked(const std::string& payload_id) IMSEMU_REQUIRES(mu_);
  // A listener for `payload_id`, bound to `port` (0: any), not yet serving.
  StatusOr<std::unique_ptr<HttpServer>> Bind(const std::string& payload_id, int port);

  core::World& world_;
  RequestIds& ids_;
  GameServerCalls& calls_;
  const AccessPolicy& access_;
  std::vector<ExchangeObserver*> observers_;
  GroupCommit group_commit_{world_};
  Faults* faults_;
  const std::string host_;
  std::optional<int> fixed_port_;
  mutable Mutex mu_;
  CondVar work_{mu_};
  std::map<std::string, std::unique_ptr<HttpServer>> listeners_ IMSEMU_GUARDED_BY(mu_);
  // A payload whose API is down: its port, held by a socket that is bound
  // but does not listen (a connection is refused, as to a closed port, and
  // no other program's socket takes the port before the API comes back).
  struct Down {
    int port = 0;
    int holder = -1;  // the bound socket; -1 if it could not be bound
  };
  // Holds `port`: a socket bound to it that does not listen.
  Down HoldPort(int port) const;
  std::map<std::string, Down> down_ IMSEMU_GUARDED_BY(mu_);
  // Bound, owned by listeners_ or retired_.
  std::vector<HttpServer*> to_serve_ IMSEMU_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<HttpServer>> retired_ IMSEMU_GUARDED_BY(mu_);
  bool stopping_ IMSEMU_GUARDED_BY(mu_) = false;
  std::vector<std::string> moved_ IMSEMU_GUARDED_BY(mu_);
  bool moved_taken_ IMSEMU_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace imsemu::http
