// Observers of the two sides of the conversation, as the emulator answers
// them: GameServerObserver (what game servers do over their Payload Local
// API) and GameClientObserver (what game clients do at the Session Manager).
// For tests that assert on who called what (with gMock: ims_emulator/gtest.h's
// EmulatorTest::game_servers() and game_clients()).
//
// Threads: each call is made once a request has succeeded, on the HTTP server
// thread serving it, before its answer is sent: when a game server's or
// client's call returns, its observers have been told. Requests are served by
// several threads at once (each payload's own listener, and a pool on the
// main port), so calls for different payloads, or from different clients,
// can come AT THE SAME TIME: an observer must be thread-safe (gMock mocks
// are; the harness's are). Calls for one payload come in the order its
// requests were served. Refused requests (bad input, unknown payload, no
// Ready payload, injected faults) are not reported. An observer must not add
// or remove observers from a call; it may call the emulator and its APIs.
//
// To miss nothing, give observers in EmulatorConfig (attached before any
// listener opens or game server starts); AddObserver() on a running emulator
// sees only what comes after it.
#pragma once

#include <optional>
#include <string>

#include "ims_emulator/types.h"

namespace imsemu {

class GameServerObserver {
 public:
  virtual ~GameServerObserver() = default;

  // Get Payload Details answered, showing the payload in `state`.
  virtual void OnPayloadRead(const std::string& /*payload_id*/, const std::string& /*state*/) {}
  // The game server said it is ready.
  virtual void OnReady(const std::string& /*payload_id*/) {}
  virtual void OnLabelSet(const std::string& /*payload_id*/, const std::string& /*key*/,
                          const std::string& /*value*/) {}
  virtual void OnAnnotationSet(const std::string& /*payload_id*/, const std::string& /*key*/,
                               const std::string& /*value*/) {}
  // The session config was read (nullopt: the payload has none).
  virtual void OnConfigRead(const std::string& /*payload_id*/,
                            const std::optional<std::string>& /*config*/) {}
  virtual void OnStatusRead(const std::string& /*payload_id*/) {}
  // A session status was set; `status` is the whole map as sent (a null
  // value stored as "").
  virtual void OnStatusSet(const std::string& /*payload_id*/, const StringMap& /*status*/) {}
};

class GameClientObserver {
 public:
  virtual ~GameClientObserver() = default;

  // Create Session reserved `payload_id` (the session's id) for a client of
  // `project`; `config` is the session config it sent (nullopt: none).
  virtual void OnSessionCreated(const std::string& /*project*/, const std::string& /*session_type*/,
                                const std::optional<std::string>& /*config*/,
                                const std::string& /*payload_id*/) {}
  // List Sessions answered `count` sessions.
  virtual void OnSessionsListed(const std::string& /*project*/, const std::string& /*session_type*/,
                                int /*count*/) {}
};

}  // namespace imsemu
