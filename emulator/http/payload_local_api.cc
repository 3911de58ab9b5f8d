#include "emulator/http/payload_local_api.h"

#include "emulator/codec/json_fields.h"
#include "emulator/codec/payload_json.h"
#include "emulator/http/control_json.h"
#include "emulator/util/api_routes.h"

namespace imsemu::http {
namespace {

using Json = nlohmann::json;

// The status map the game server posts: string values, null stored as "".
// The call replaces the whole map, so an empty body is refused rather than
// taken as {}: it would clear the status without the server saying so.
Status ReadStatusBody(const httplib::Request& req, core::StringMap& status,
                      std::vector<std::string>& null_keys) {
  IMSEMU_ASSIGN_OR_RETURN(Json body, ParseBody(req, Json()));
  if (body.is_null() && req.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    return InvalidArgument(
        "request body is empty: the session status is a JSON object of string values, which "
        "replaces the whole status ({} clears it)");
  }
  IMSEMU_RETURN_IF_ERROR(codec::ExpectObject(body, ""));
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (it->is_null()) {
      status[it.key()] = "";
      null_keys.push_back(it.key());
    } else if (it->is_string()) {
      status[it.key()] = it->get<std::string>();
    } else {
      return InvalidArgument("session status value of '" + it.key() + "' must be a string, got " +
                             it->type_name());
    }
  }
  return OkStatus();
}

}  // namespace

void MountPayloadLocalApi(httplib::Server& server, core::World& world, RequestIds& ids,
                          GameServerCalls& calls, const std::string& prefix_pattern,
                          PayloadIdOf payload_id_of) {
  const std::string p = prefix_pattern;
  auto fail = [&ids](httplib::Response& res, const Status& s) {
    WriteError(res, Surface::kPayloadLocal, s, ids);
  };

  server.Get(
      p + routes::kGetPayload.path,
      [&world, &calls, payload_id_of, fail](const httplib::Request& req, httplib::Response& res) {
        StatusOr<core::Payload> payload = world.GetPayload(payload_id_of(req));
        if (!payload.ok()) return fail(res, payload.status());
        const std::string state = core::PayloadStateName(payload->state);
        calls.Tell([&](GameServerObserver& o) { o.OnPayloadRead(payload->id, state); });
        WriteJson(res, {{"result", codec::PayloadToJson(*payload)}});
      });

  server.Post(p + routes::kReady.path, [&world, &calls, payload_id_of, fail](
                                           const httplib::Request& req, httplib::Response& res) {
    StatusOr<core::Payload> payload = world.MarkReady(payload_id_of(req));
    if (!payload.ok()) return fail(res, payload.status());
    calls.Tell([&](GameServerObserver& o) { o.OnReady(payload->id); });
    WriteJson(res, Json::object());
  });

  for (const auto& [path, kind] :
       {std::pair{routes::kSetAnnotation.path, core::MetadataKind::kAnnotation},
        std::pair{routes::kSetLabel.path, core::MetadataKind::kLabel}}) {
    server.Put(p + path, [&world, &calls, payload_id_of, fail, kind = kind](
                             const httplib::Request& req, httplib::Response& res) {
      std::string key, value;
      const std::string id = payload_id_of(req);
      StatusOr<Json> body = ParseBody(req);
      Status s = body.ok() ? codec::ReadKeyValue(*body, key, value) : body.status();
      if (s.ok()) s = world.SetMetadata(id, kind, key, value, core::Actor::kGameServer);
      if (!s.ok()) return fail(res, s);
      calls.Tell([&](GameServerObserver& o) {
        if (kind == core::MetadataKind::kLabel) {
          o.OnLabelSet(id, key, value);
        } else {
          o.OnAnnotationSet(id, key, value);
        }
      });
      WriteJson(res, Json::object());
    });
  }

  server.Get(p + routes::kGetConfig.path, [&world, &calls, payload_id_of, fail](
                                              const httplib::Request& req, httplib::Response& res) {
    const std::string id = payload_id_of(req);
    StatusOr<std::optional<std::string>> config = world.GetSessionConfig(id);
    if (!config.ok()) return fail(res, config.status());
    calls.Tell([&](GameServerObserver& o) { o.OnConfigRead(id, *config); });
    WriteJson(res, SessionConfigToJson(*config));
  });

  server.Get(p + routes::kGetStatus.path, [&world, &calls, payload_id_of, fail](
                                              const httplib::Request& req, httplib::Response& res) {
    const std::string id = payload_id_of(req);
    StatusOr<core::StringMap> status = world.GetSessionStatus(id);
    if (!status.ok()) return fail(res, status.status());
    calls.Tell([&](GameServerObserver& o) { o.OnStatusRead(id); });
    WriteJson(res, Json(*status));
  });

  server.Post(
      p + routes::kSetStatus.path,
      [&world, &calls, payload_id_of, fail](const httplib::Request& req, httplib::Response& res) {
        const std::string id = payload_id_of(req);
        core::StringMap status;
        std::vector<std::string> null_keys;
        Status s = ReadStatusBody(req, status, null_keys);
        if (s.ok()) s = world.SetSessionStatus(id, status, null_keys);
        if (!s.ok()) return fail(res, s);
        calls.Tell([&](GameServerObserver& o) { o.OnStatusSet(id, status); });
        WriteJson(res, Json::object());
      });
}

}  // namespace imsemu::http
