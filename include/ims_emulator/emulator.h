// Emulator: the whole emulated IMS zeuz and Session Manager, in-process, for a
// studio's own tests. The public face of the emulator library.
//
//   auto emulator = imsemu::Emulator::Start({});          // default world
//   std::string url = (*emulator)->base_url();            // http://127.0.0.1:PORT
//   (*emulator)->AdvanceClock(std::chrono::seconds(12));  // virtual time
//
// Start() returns a running emulator: the Session Manager, orchestration and
// control APIs on `base_url()`, each payload's Payload Local API on
// PayloadApiOf(id) (the value a game server finds in ORCHESTRATION_PAYLOAD_API).
// Stop(), also run by the destructor, closes every listener and ends every
// game-server process. Thread-safe. This header includes the standard library
// and ims_emulator/ only; the implementation and its dependencies stay inside
// the library.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ims_emulator/observer.h"
#include "ims_emulator/status.h"

namespace imsemu {

// How to start an emulator; the defaults suit a test.
struct EmulatorConfig {
  // The world, as fixture JSON text (README "The fixture"), or a fixture
  // file; neither: the built-in default world.
  std::string fixture_json;
  std::string fixture_file;
  // Virtual time moves only by AdvanceClock(); real time moves by itself.
  bool virtual_clock = true;
  // Seed of every id and port handed out: the same seed, the same ids.
  uint64_t seed = 1;
  // How List Sessions lags status updates: "periodic", "delay" or "off".
  std::string status_cache = "periodic";
  std::chrono::milliseconds status_cache_ttl{12000};
  // No listener per payload: every Payload Local API under the main port.
  bool shared_port = false;
  // ":memory:", or a SQLite file to keep (and resume) the world in.
  std::string state_path = ":memory:";
  std::string host = "127.0.0.1";
  int port = 0;  // 0 picks a free port
  // Told of every game-server and game-client call from the very first one
  // (attached before any listener opens or game server starts; see
  // ims_emulator/observer.h for the threads that call them). The emulator
  // does not own them; each must outlive it.
  std::vector<GameServerObserver*> game_server_observers;
  std::vector<GameClientObserver*> game_client_observers;
};

class Emulator {
 public:
  // Starts an emulator. InvalidArgument for a bad fixture or option (the
  // message names it); Unavailable if a port cannot be bound.
  static StatusOr<std::unique_ptr<Emulator>> Start(const EmulatorConfig& config);

  virtual ~Emulator();
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  // "http://HOST:PORT" of the main port.
  virtual std::string base_url() const = 0;
  virtual int port() const = 0;
  // Moves the virtual clock and applies everything due before returning.
  // FailedPrecondition under the real clock; InvalidArgument if negative.
  virtual Status AdvanceClock(std::chrono::milliseconds d) = 0;
  // Back to the fixture's world.
  virtual Status Reset() = 0;
  // The ids of the world's projects, sorted.
  virtual std::vector<std::string> ProjectIds() = 0;
  // The ids of every payload now, oldest first.
  virtual std::vector<std::string> PayloadIds() = 0;
  // The ORCHESTRATION_PAYLOAD_API value of a payload: "127.0.0.1:PORT", or
  // "HOST:PORT/payloads/ID" under shared_port.
  virtual std::string PayloadApiOf(const std::string& payload_id) const = 0;
  // Tells `observer` what every game server (or game client) does from now
  // on (see ims_emulator/observer.h) until it is removed; the emulator does
  // not own it. A game server already running may have called before: to
  // miss nothing, use EmulatorConfig's observers. RemoveObserver() waits for
  // calls in flight.
  virtual void AddObserver(GameServerObserver* observer) = 0;
  virtual void RemoveObserver(GameServerObserver* observer) = 0;
  virtual void AddObserver(GameClientObserver* observer) = 0;
  virtual void RemoveObserver(GameClientObserver* observer) = 0;
  // Closes every listener and ends every game server. Idempotent.
  virtual void Stop() = 0;

 protected:
  Emulator() = default;
};

}  // namespace imsemu
