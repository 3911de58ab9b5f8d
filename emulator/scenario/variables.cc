#include "emulator/scenario/variables.h"

namespace imsemu::scenario {

std::string Text(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

StatusOr<Json> Substitute(const Json& value, const Variables& vars) {
  if (value.is_object()) {
    Json out = Json::object();
    for (auto it = value.begin(); it != value.end(); ++it) {
      IMSEMU_ASSIGN_OR_RETURN(out[it.key()], Substitute(*it, vars));
    }
    return out;
  }
  if (value.is_array()) {
    Json out = Json::array();
    for (const Json& item : value) {
      IMSEMU_ASSIGN_OR_RETURN(Json substituted, Substitute(item, vars));
      out.push_back(std::move(substituted));
    }
    return out;
  }
  if (!value.is_string()) return value;
  const std::string s = value.get<std::string>();
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    const size_t open = s.find("${", i);
    if (open == std::string::npos) {
      out += s.substr(i);
      break;
    }
    const size_t close = s.find('}', open);
    if (close == std::string::npos) return InvalidArgument("unclosed ${ in '" + s + "'");
    const std::string name = s.substr(open + 2, close - open - 2);
    auto var = vars.find(name);
    if (var == vars.end()) {
      return InvalidArgument("variable '" + name + "' is not set (no earlier step saved it)");
    }
    if (open == 0 && close == s.size() - 1) return var->second;  // keep the saved type
    out += s.substr(i, open - i) + Text(var->second);
    i = close + 1;
  }
  return Json(out);
}

}  // namespace imsemu::scenario
