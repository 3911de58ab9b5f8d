#include "toy_game_server.h"

namespace studio {

imsemu::Status ToyGameServer::Poll() {
  if (in_match_) return imsemu::OkStatus();
  imsemu::StatusOr<imsemu::PayloadInfo> payload = api_.GetPayload();
  if (!payload.ok()) return payload.status();
  if (payload->state != "Reserved") return imsemu::OkStatus();
  imsemu::StatusOr<std::optional<std::string>> config = api_.GetConfig();
  if (!config.ok()) return config.status();
  // A player's machine wrote the config: take a short map name, nothing else.
  const std::string text = config->value_or("");
  if (!text.empty() && text.size() <= 32 && text.find_first_of("\"{}<>") == std::string::npos) {
    map_ = text;
  }
  imsemu::Status set = api_.SetStatus({{"phase", "lobby"}, {"map", map_}});
  if (set.ok()) in_match_ = true;
  return set;
}

}  // namespace studio
