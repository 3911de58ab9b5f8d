#include "emulator/codec/process_exit_json.h"

namespace imsemu::codec {

nlohmann::json ProcessExitToJson(const core::ProcessExit& exit) {
  nlohmann::json out = {{"how", core::ProcessExitHowName(exit.how)}, {"code", exit.code}};
  if (exit.signal() != 0 && *core::SignalName(exit.signal()) != '\0') {
    out["signal"] = core::SignalName(exit.signal());
  }
  return out;
}

StatusOr<core::ProcessExit> ProcessExitFromJson(const nlohmann::json& json,
                                                const std::string& where) {
  if (!json.is_object()) return InvalidArgument(where + " must be an object");
  auto how = json.find("how");
  if (how == json.end() || !how->is_string()) {
    return InvalidArgument(
        where + ".how must be \"exited\", \"signaled\", \"not-started\" or \"out-of-memory\"");
  }
  std::optional<core::ProcessExit::How> parsed = core::ParseProcessExitHow(how->get<std::string>());
  if (!parsed) {
    return InvalidArgument(
        where +
        ".how must be \"exited\", \"signaled\", \"not-started\" or \"out-of-memory\", got " +
        how->dump().substr(0, 40));
  }
  auto code = json.find("code");
  if (code == json.end() || !code->is_number_integer() || code->get<long long>() < 0 ||
      code->get<long long>() > 255) {
    return InvalidArgument(where + ".code must be an integer from 0 to 255");
  }
  return core::ProcessExit{*parsed, static_cast<int>(code->get<long long>())};
}

}  // namespace imsemu::codec
