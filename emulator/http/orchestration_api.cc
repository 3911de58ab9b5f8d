#include "emulator/http/orchestration_api.h"

#include "emulator/codec/allocation_json.h"
#include "emulator/codec/json_fields.h"
#include "emulator/codec/payload_json.h"
#include "emulator/codec/reservation_json.h"
#include "emulator/util/api_routes.h"

namespace imsemu::http {
namespace {

using Json = nlohmann::json;

StatusOr<core::AllocationSpec> ReadSpec(const httplib::Request& req) {
  IMSEMU_ASSIGN_OR_RETURN(Json body, ParseBody(req));
  return codec::AllocationSpecFromJson(body);
}

// The process an allocation's payloads run: all that starting one depends on.
bool SameProcess(const core::PayloadSpec& a, const core::PayloadSpec& b) {
  return a.command == b.command && a.image == b.image && a.args == b.args &&
         a.Environment() == b.Environment();
}

// PermissionDenied when `spec` would start a process that `current` (the
// allocation as it is, if any) does not already run and commands are off;
// InvalidArgument when that process cannot start.
Status CheckProcess(const core::AllocationSpec& spec, const core::AllocationSpec* current,
                    const ProcessPolicy& policy) {
  if (!spec.payload_spec.RunsGameServer()) return OkStatus();
  if (current != nullptr && SameProcess(spec.payload_spec, current->payload_spec)) {
    return OkStatus();
  }
  if (policy.allow_commands) return policy.can_start ? policy.can_start(spec) : OkStatus();
  const bool image = !spec.payload_spec.image.empty();
  return PermissionDenied(
      std::string(image ? "payload_spec.image: starting containers"
                        : "payload_spec.command: starting game-server processes") +
      " from an allocation sent over HTTP is off; put the " + (image ? "image" : "command") +
      " in the fixture, or start the emulator with --allow-http-commands");
}

Json AllocationsJson(const std::vector<core::Allocation>& allocations) {
  Json out = Json::array();
  for (const core::Allocation& a : allocations) out.push_back(codec::AllocationToJson(a));
  return out;
}

}  // namespace

void MountOrchestrationApi(httplib::Server& server, core::World& world, RequestIds& ids,
                           ProcessPolicy processes) {
  auto fail = [&ids](httplib::Response& res, const Status& s) {
    WriteError(res, Surface::kOrchestration, s, ids);
  };
  // The allocation as the answer's `result`, or the error.
  auto answer = [fail](httplib::Response& res, const StatusOr<core::Allocation>& a) {
    if (!a.ok()) return fail(res, a.status());
    WriteJson(res, {{"result", codec::AllocationToJson(*a)}});
  };

  server.Get(routes::Pattern(routes::kListAllocations.path),
             [&world, fail](const httplib::Request& req, httplib::Response& res) {
               auto list = world.ListAllocations(req.matches[1]);
               if (!list.ok()) return fail(res, list.status());
               WriteJson(res, {{"results", AllocationsJson(*list)}});
             });

  server.Post(
      routes::Pattern(routes::kCreateAllocation.path),
      [&world, fail, answer, processes](const httplib::Request& req, httplib::Response& res) {
        StatusOr<core::AllocationSpec> spec = ReadSpec(req);
        if (!spec.ok()) return fail(res, spec.status());
        Status allowed = CheckProcess(*spec, nullptr, processes);
        if (!allowed.ok()) return fail(res, allowed);
        answer(res, world.CreateAllocation(req.matches[1], *std::move(spec)));
      });

  server.Get(routes::Pattern(routes::kGetAllocation.path),
             [&world, answer](const httplib::Request& req, httplib::Response& res) {
               answer(res, world.GetAllocation(req.matches[1], req.matches[2]));
             });

  server.Put(
      routes::Pattern(routes::kReplaceAllocation.path),
      [&world, fail, answer, processes](const httplib::Request& req, httplib::Response& res) {
        StatusOr<core::AllocationSpec> spec = ReadSpec(req);
        if (!spec.ok()) return fail(res, spec.status());
        auto current = world.GetAllocation(req.matches[1], req.matches[2]);
        Status allowed = CheckProcess(*spec, current.ok() ? &current->spec : nullptr, processes);
        if (!allowed.ok()) return fail(res, allowed);
        answer(res, world.ReplaceAllocation(req.matches[1], req.matches[2], *std::move(spec)));
      });

  server.Delete(routes::Pattern(routes::kDeleteAllocation.path),
                [&world, answer](const httplib::Request& req, httplib::Response& res) {
                  answer(res, world.DeleteAllocation(req.matches[1], req.matches[2]));
                });

  server.Get(routes::Pattern(routes::kListPayloads.path),
             [&world, fail](const httplib::Request& req, httplib::Response& res) {
               auto list = world.ListPayloads(req.matches[1], req.matches[2]);
               if (!list.ok()) return fail(res, list.status());
               Json results = Json::array();
               for (const core::Payload& p : *list) results.push_back(codec::PayloadToJson(p));
               WriteJson(res, {{"results", std::move(results)}});
             });

  server.Get(routes::Pattern(routes::kGetPayloadOf.path),
             [&world, fail](const httplib::Request& req, httplib::Response& res) {
               auto p = world.GetPayloadOf(req.matches[1], req.matches[2], req.matches[3]);
               if (!p.ok()) return fail(res, p.status());
               WriteJson(res, {{"result", codec::PayloadToJson(*p)}});
             });

  server.Delete(routes::Pattern(routes::kDeletePayload.path), [&world, fail](
                                                                  const httplib::Request& req,
                                                                  httplib::Response& res) {
    const std::string force = req.get_param_value("force_delete");
    if (!force.empty() && force != "true" && force != "false") {
      return fail(res, InvalidArgument("force_delete must be true or false, got '" + force + "'"));
    }
    Status s = world.DeletePayload(req.matches[1], req.matches[2], req.matches[3], force == "true");
    if (!s.ok()) return fail(res, s);
    WriteJson(res, Json::object());
  });

  for (const auto& [route, kind] :
       {std::pair{routes::kSetPayloadLabel, core::MetadataKind::kLabel},
        std::pair{routes::kSetPayloadAnnotation, core::MetadataKind::kAnnotation}}) {
    server.Put(routes::Pattern(route.path),
               [&world, fail, kind = kind](const httplib::Request& req, httplib::Response& res) {
                 auto p = world.GetPayloadOf(req.matches[1], req.matches[2], req.matches[3]);
                 if (!p.ok()) return fail(res, p.status());
                 StatusOr<Json> body = ParseBody(req);
                 std::string key, value;
                 Status s = body.ok() ? codec::ReadKeyValue(*body, key, value) : body.status();
                 if (s.ok())
                   s = world.SetMetadata(p->id, kind, key, value, core::Actor::kOrchestration);
                 if (!s.ok()) return fail(res, s);
                 WriteJson(res, Json::object());
               });
  }

  server.Post(routes::Pattern(routes::kReserve.path),
              [&world, fail](const httplib::Request& req, httplib::Response& res) {
                StatusOr<Json> body = ParseBody(req);  // the body is optional; null is not
                if (!body.ok()) return fail(res, body.status());
                StatusOr<core::ReservationRequest> request = codec::ReservationFromJson(*body);
                if (!request.ok()) return fail(res, request.status());
                auto p = world.Reserve(req.matches[1], req.matches[2], *request);
                if (!p.ok()) return fail(res, p.status());
                WriteJson(res, {{"result", codec::PayloadToJson(*p)}});
              });
}

}  // namespace imsemu::http
