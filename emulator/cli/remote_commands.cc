// `timeline` and `export`: ask a running emulator over HTTP.
#include <fstream>

#include "emulator/cli/tool_commands.h"
#include "emulator/clients/http_call.h"
#include "emulator/store/snapshot_file.h"
#include "emulator/util/utf8.h"

namespace imsemu::cli {

void AddTimelineFlags(CLI::App* app, RemoteFlags& f) {
  f.out = "-";
  app->add_option("--url", f.url, "the emulator's main port");
  app->add_option("-o,--output", f.out, "the trace file (- for stdout)");
}

int WriteTimeline(const RemoteFlags& f, const Context& c) {
  std::ostream& out = c.out;
  std::ostream& err = c.err;
  clients::HttpCall call(f.url);
  const StatusOr<nlohmann::json> trace = call.Call(routes::kTimeline);
  if (!trace.ok()) {
    err << "ims-emulator: cannot read the timeline from " << f.url << ": "
        << PrintableText(trace.status().ToString()) << "\n";
    return 1;
  }
  if (f.out == "-") {
    out << trace->dump() << "\n";
    return 0;
  }
  std::ofstream file(f.out);
  file << trace->dump() << "\n";
  if (!file.flush()) {
    err << "ims-emulator: cannot write " << f.out << "\n";
    return 1;
  }
  err << "wrote " << f.out << ": open it in https://ui.perfetto.dev or chrome://tracing\n";
  return 0;
}

void AddExportFlags(CLI::App* app, RemoteFlags& f) {
  app->add_option("--url", f.url, "the emulator's main port");
  app->add_option("file", f.out, "the snapshot file (written atomically)")->required();
}

int WriteExport(const RemoteFlags& f, const Context& c) {
  std::ostream& err = c.err;
  clients::HttpCall call(f.url);
  const StatusOr<nlohmann::json> snapshot = call.Call(routes::kExport);
  if (!snapshot.ok()) {
    err << "ims-emulator: cannot export from " << f.url << ": "
        << PrintableText(snapshot.status().ToString()) << "\n";
    return 1;
  }
  const std::string text = snapshot->dump(1) + "\n";
  if (!store::DecodeSnapshot(text).ok()) {
    err << "ims-emulator: " << f.url << " did not answer with a snapshot\n";
    return 1;
  }
  const Status written = store::WriteFileAtomically(f.out, text);
  if (!written.ok()) {
    err << "ims-emulator: " << written.message() << "\n";
    return 1;
  }
  err << "wrote " << f.out << ": start from it with ims-emulator serve --import " << f.out << "\n";
  return 0;
}

}  // namespace imsemu::cli
