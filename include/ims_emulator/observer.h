// GameServerObserver: what game servers do over their Payload Local API, as
// the emulator answers it. For tests that assert on the game server's side
// of the conversation (with gMock: ims_emulator/gtest.h's
// MockGameServerObserver and EmulatorTest::game_servers()).
//
// Each call is made once a request has succeeded, on the thread serving it,
// before its answer is sent: when a game server's call returns, its observers
// have been told. Calls for one payload come in the order its requests were
// served. Refused requests (bad input, unknown payload, injected faults) are
// not reported. An observer must not add or remove observers from a call;
// it may call the emulator and its APIs.
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

}  // namespace imsemu
