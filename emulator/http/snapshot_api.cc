#include "emulator/http/snapshot_api.h"

#include "emulator/codec/json_fields.h"
#include "emulator/http/control_json.h"
#include "emulator/util/api_routes.h"
#include "emulator/util/rfc3339.h"

namespace imsemu::http {
namespace {

using Json = nlohmann::json;

}  // namespace

void MountSnapshotApi(httplib::Server& server, RequestIds& ids, SnapshotHooks hooks) {
  auto fail = [&ids](httplib::Response& res, const Status& s) {
    WriteError(res, Surface::kControl, s, ids);
  };
  // What a restore answers: where the clock now stands.
  auto restored = [hooks, fail](httplib::Response& res, const Status& s) {
    if (!s.ok()) return fail(res, s);
    WriteJson(res, {{"clock", ClockToJson(*hooks.clock)}});
  };

  server.Get(routes::Pattern(routes::kExport.path), [hooks](const httplib::Request&,
                                                            httplib::Response& res) {
    res.set_header("Content-Disposition", R"(attachment; filename="ims-emulator-snapshot.json")");
    res.set_content(hooks.export_world(), "application/json");
  });

  server.Post(routes::Pattern(routes::kImport.path),
              [hooks, fail, restored](const httplib::Request& req, httplib::Response& res) {
                StatusOr<Json> body = ReadObjectBody(req, {"file"});
                Status s = body.ok() ? codec::Require(*body, "file", "") : body.status();
                std::string file;
                if (s.ok()) s = codec::ReadString(*body, "file", "", file);
                if (s.ok() && file.empty()) s = InvalidArgument("file must not be empty");
                if (!s.ok()) return fail(res, s);
                restored(res, hooks.import_world(file));
              });

  server.Get(routes::Pattern(routes::kListSnapshots.path),
             [hooks](const httplib::Request&, httplib::Response& res) {
               Json list = Json::array();
               for (const auto& [name, time] : hooks.snapshots()) {
                 list.push_back({{"name", name}, {"time", FormatRfc3339(time)}});
               }
               WriteJson(res, {{"snapshots", std::move(list)}});
             });

  server.Post(routes::Pattern(routes::kTakeSnapshot.path),
              [hooks, fail](const httplib::Request& req, httplib::Response& res) {
                StatusOr<Json> body = ReadObjectBody(req, {});
                Status s = body.ok() ? hooks.take_snapshot(req.matches[1]) : body.status();
                if (!s.ok()) return fail(res, s);
                WriteJson(res, {{"name", req.matches[1]}, {"clock", ClockToJson(*hooks.clock)}});
              });

  server.Post(routes::Pattern(routes::kRestoreSnapshot.path),
              [hooks, fail, restored](const httplib::Request& req, httplib::Response& res) {
                StatusOr<Json> body = ReadObjectBody(req, {});
                if (!body.ok()) return fail(res, body.status());
                restored(res, hooks.restore_snapshot(req.matches[1]));
              });
}

}  // namespace imsemu::http
