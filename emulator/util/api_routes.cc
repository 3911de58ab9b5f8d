#include "emulator/util/api_routes.h"

#include <vector>

#include "emulator/util/percent_encode.h"

namespace imsemu::routes {
namespace {

// The template's parts: literal text and {names}, alternating, starting with
// text (possibly empty).
struct Part {
  std::string_view text;
  bool is_name = false;
};

std::vector<Part> Split(std::string_view t) {
  std::vector<Part> parts;
  size_t at = 0;
  while (at < t.size()) {
    const size_t open = t.find('{', at);
    const size_t close = open == std::string_view::npos ? open : t.find('}', open);
    if (close == std::string_view::npos) {
      parts.push_back({t.substr(at)});
      break;
    }
    parts.push_back({t.substr(at, open - at)});
    parts.push_back({t.substr(open + 1, close - open - 1), true});
    at = close + 1;
  }
  return parts;
}

// The Payload Local API's paths are under /api/v0/, beside the projects'.
bool UnderPayloadLocalApi(std::string_view path) {
  return path.starts_with("/api/v0/") && !path.starts_with("/api/v0/projects/");
}

}  // namespace

bool IsPayloadLocalApi(const Route& route) { return UnderPayloadLocalApi(route.path); }

std::optional<std::pair<std::string, std::string>> SplitSharedPayloadPath(std::string_view path) {
  const std::string_view shared = kSharedPayloadPrefix;
  const std::string_view start = shared.substr(0, shared.find('{'));
  if (!path.starts_with(start)) return std::nullopt;
  const size_t end = path.find('/', start.size());
  if (end == std::string_view::npos || end == start.size()) return std::nullopt;
  return std::pair{std::string(path.substr(start.size(), end - start.size())),
                   std::string(path.substr(end))};
}

bool IsPayloadLocalPath(std::string_view path) {
  if (auto split = SplitSharedPayloadPath(path)) return UnderPayloadLocalApi(split->second);
  return UnderPayloadLocalApi(path);
}

std::string Expand(std::string_view path_template,
                   const std::map<std::string, std::string>& values) {
  std::string out;
  for (const Part& part : Split(path_template)) {
    if (!part.is_name) {
      out += part.text;
      continue;
    }
    auto it = values.find(std::string(part.text));
    if (it != values.end()) {
      out += PercentEncode(it->second);
    } else {
      out.append(1, '{').append(part.text).append(1, '}');
    }
  }
  return out;
}

std::optional<std::map<std::string, std::string>> Match(std::string_view path_template,
                                                        std::string_view path) {
  std::map<std::string, std::string> values;
  const std::vector<Part> parts = Split(path_template);
  size_t at = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Part& part = parts[i];
    if (!part.is_name) {
      if (path.substr(at, part.text.size()) != part.text) return std::nullopt;
      at += part.text.size();
      continue;
    }
    const size_t end = std::min(path.find('/', at), path.size());
    if (end == at) return std::nullopt;  // a segment is never empty
    values[std::string(part.text)] = std::string(path.substr(at, end - at));
    at = end;
  }
  if (at != path.size()) return std::nullopt;
  return values;
}

std::vector<std::string_view> MethodsAt(std::string_view path, Listener listener) {
  std::optional<std::pair<std::string, std::string>> shared;
  if (listener == Listener::kMain) shared = SplitSharedPayloadPath(path);
  std::vector<std::string_view> methods;
  for (const Route& route : kAllRoutes) {
    const bool payload_api = IsPayloadLocalApi(route);
    bool served = false;
    if (listener == Listener::kPayload) {
      served = payload_api && Match(route.path, path);
    } else if (payload_api) {
      served = shared && Match(route.path, shared->second);
    } else {
      served = Match(route.path, path).has_value();
    }
    if (served) methods.push_back(route.method);
  }
  return methods;
}

std::string Pattern(std::string_view path_template) {
  std::string out;
  for (const Part& part : Split(path_template)) {
    out += part.is_name ? std::string("([^/]+)") : std::string(part.text);
  }
  return out;
}

}  // namespace imsemu::routes
