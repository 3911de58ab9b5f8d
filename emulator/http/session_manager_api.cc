#include "emulator/http/session_manager_api.h"

#include "emulator/codec/json_fields.h"
#include "emulator/codec/payload_json.h"
#include "emulator/util/api_routes.h"

namespace imsemu::http {
namespace {

using Json = nlohmann::json;

// Checks credentials and the session_type query parameter.
Status Admit(const httplib::Request& req, const SessionAuth& auth, std::string& session_type) {
  IMSEMU_RETURN_IF_ERROR(auth.Check(req.get_header_value("Authorization")));
  session_type = req.get_param_value("session_type");
  if (session_type.empty()) {
    return InvalidArgument("session_type query parameter is required");
  }
  return OkStatus();
}

// The create body: {"session_config": string}, {}, null or empty (the C#
// client sends a literal null: lenient on purpose). Other fields are refused,
// so a typo never creates a session without its config.
StatusOr<std::optional<std::string>> ReadSessionConfig(const httplib::Request& req) {
  IMSEMU_ASSIGN_OR_RETURN(Json body, ParseBody(req, Json()));
  if (body.is_null()) return std::optional<std::string>();
  IMSEMU_RETURN_IF_ERROR(codec::ExpectObject(body, ""));
  IMSEMU_RETURN_IF_ERROR(codec::RejectUnknownFields(body, "", {"session_config"}));
  auto it = body.find("session_config");
  if (it == body.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    return InvalidArgument(std::string("session_config must be a string, got ") + it->type_name());
  }
  return std::optional<std::string>(it->get<std::string>());
}

}  // namespace

void MountSessionManagerApi(httplib::Server& server, core::World& world, RequestIds& ids,
                            const SessionAuth& auth, GameClientCalls& calls) {
  auto fail = [&ids](httplib::Response& res, const Status& s) {
    WriteError(res, Surface::kSessionManager, s, ids);
  };

  server.Post(
      routes::Pattern(routes::kCreateSession.path),
      [&world, &auth, &calls, fail](const httplib::Request& req, httplib::Response& res) {
        std::string session_type;
        Status admitted = Admit(req, auth, session_type);
        if (!admitted.ok()) return fail(res, admitted);
        StatusOr<std::optional<std::string>> config = ReadSessionConfig(req);
        if (!config.ok()) return fail(res, config.status());
        const std::string project = req.matches[1];
        auto p = world.CreateSession(project, session_type, *config);
        if (!p.ok()) return fail(res, p.status());
        calls.Tell([&](GameClientObserver& o) {
          o.OnSessionCreated(project, session_type, *config, p->id);
        });
        WriteJson(
            res, {{"id", p->id}, {"address", p->address}, {"ports", codec::PortsToJson(p->ports)}});
      });

  server.Get(routes::Pattern(routes::kListSessions.path),
             [&world, &auth, &calls, fail](const httplib::Request& req, httplib::Response& res) {
               std::string session_type;
               Status admitted = Admit(req, auth, session_type);
               if (!admitted.ok()) return fail(res, admitted);
               const std::string project = req.matches[1];
               auto sessions = world.ListSessions(project, session_type);
               if (!sessions.ok()) return fail(res, sessions.status());
               calls.Tell([&](GameClientObserver& o) {
                 o.OnSessionsListed(project, session_type, static_cast<int>(sessions->size()));
               });
               Json list = Json::array();
               for (const core::SessionView& s : *sessions) {
                 list.push_back({{"id", s.id},
                                 {"address", s.address},
                                 {"ports", codec::PortsToJson(s.ports)},
                                 {"session_status", Json(s.session_status)}});
               }
               WriteJson(res, {{"sessions", std::move(list)}});
             });
}

}  // namespace imsemu::http
