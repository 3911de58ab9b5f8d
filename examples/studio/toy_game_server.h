// The studio's game server logic, as IMS's integration guide asks for it:
// poll Get Payload Details until Reserved, then read the session config, then
// set a session status. Built on ims_emulator::clients alone, so the same
// code runs against the real IMS.
#pragma once

#include <string>

#include <ims_emulator/clients.h>

namespace studio {

class ToyGameServer {
 public:
  explicit ToyGameServer(imsemu::PayloadClient api) : api_(std::move(api)) {}

  // One turn of the server's loop: until a match starts, polls the payload;
  // once it is Reserved, reads the config (a map name) and sets the status
  // "phase=lobby, map=NAME". An API error is returned as is.
  imsemu::Status Poll();
  bool in_match() const { return in_match_; }
  const std::string& map() const { return map_; }

 private:
  imsemu::PayloadClient api_;
  bool in_match_ = false;
  std::string map_ = "default";
};

}  // namespace studio
