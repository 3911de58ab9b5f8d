#include "emulator/codec/json_fields.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "emulator/util/file_problem.h"
#include "emulator/util/suggest.h"

namespace imsemu::codec {
namespace {

const Json* Field(const Json& object, std::string_view key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string TypeName(const Json& value) { return value.type_name(); }

// A SAX consumer that accepts everything and remembers where parsing failed.
struct ErrorLocator : nlohmann::json_sax<Json> {
  size_t position = 0;
  std::string message;  // what was wrong, e.g. "syntax error while parsing ..."
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t pos, const std::string&,
                   const nlohmann::detail::exception& e) override {
    position = pos;
    const std::string what = e.what();
    const size_t from = what.find("syntax error");
    message = from == std::string::npos ? what : what.substr(from);
    return false;
  }
};

}  // namespace

StatusOr<Json> ParseJson(std::string_view text, const Json& empty_value, std::string_view what) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return empty_value;
  Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    // Only the SAX interface reports where parsing failed without throwing.
    ErrorLocator locator;
    Json::sax_parse(text, &locator, nlohmann::detail::input_format_t::json, false);
    // The offending character (nlohmann counts the characters read).
    const size_t at =
        std::min<size_t>(locator.position > 0 ? locator.position - 1 : 0, text.size());
    const std::string_view before = text.substr(0, at);
    const size_t line = 1 + std::count(before.begin(), before.end(), '\n');
    const size_t line_start = before.rfind('\n');
    const size_t column = at - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1;
    return InvalidArgument(std::string(what) + " is not valid JSON: " + locator.message +
                           " at line " + std::to_string(line) + ", column " +
                           std::to_string(column) + " (byte " + std::to_string(at + 1) + ")");
  }
  return parsed;
}

StatusOr<Json> ReadJsonFile(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path)) {
    const std::string why = FileProblem(path, FileUse::kRead);
    return InvalidArgument("cannot read " + std::string(what) + " '" + path + "'" +
                           (why.empty() ? "" : ": " + why));
  }
  std::ostringstream text;
  text << in.rdbuf();
  StatusOr<Json> json = ParseJson(text.str(), Json(), std::string(what) + " '" + path + "'");
  return json;
}

std::string FieldPath(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return std::string(parent) + "." + std::string(key);
}

Status ExpectObject(const Json& value, std::string_view path) {
  if (value.is_object()) return OkStatus();
  return InvalidArgument((path.empty() ? std::string("request body") : std::string(path)) +
                         " must be a JSON object, got " + TypeName(value));
}

Status RejectUnknownFields(const Json& object, std::string_view path,
                           std::initializer_list<std::string_view> allowed) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    bool known = false;
    for (std::string_view name : allowed) known = known || it.key() == name;
    if (!known) {
      return InvalidArgument(FieldPath(path, it.key()) + " is not a known field" +
                             DidYouMean(it.key(), allowed));
    }
  }
  return OkStatus();
}

Status ReadString(const Json& object, std::string_view key, std::string_view path,
                  std::string& out) {
  const Json* v = Field(object, key);
  if (v == nullptr) return OkStatus();
  if (!v->is_string()) {
    return InvalidArgument(FieldPath(path, key) + " must be a string, got " + TypeName(*v));
  }
  out = v->get<std::string>();
  return OkStatus();
}

Status ReadInt(const Json& object, std::string_view key, std::string_view path, int& out) {
  const Json* v = Field(object, key);
  if (v == nullptr) return OkStatus();
  if (!v->is_number_integer() &&
      !(v->is_number_float() && std::floor(v->get<double>()) == v->get<double>())) {
    return InvalidArgument(FieldPath(path, key) + " must be an integer, got " + v->dump());
  }
  const double d = v->get<double>();
  if (d < std::numeric_limits<int>::min() || d > std::numeric_limits<int>::max()) {
    return InvalidArgument(FieldPath(path, key) + " is out of range");
  }
  out = static_cast<int>(v->is_number_integer() ? v->get<long long>() : static_cast<long long>(d));
  return OkStatus();
}

Status ReadIntInRange(const Json& object, std::string_view key, std::string_view path, int min,
                      int max, int& out) {
  // Absent: `out` keeps its default, whatever the range (a delay-only fault
  // has no status, and 0 is not an HTTP status).
  if (Field(object, key) == nullptr) return OkStatus();
  int value = out;
  IMSEMU_RETURN_IF_ERROR(ReadInt(object, key, path, value));
  if (value < min || value > max) {
    return InvalidArgument(FieldPath(path, key) + " must be in " + std::to_string(min) + ".." +
                           std::to_string(max) + ", got " + std::to_string(value));
  }
  out = value;
  return OkStatus();
}

Status Require(const Json& object, std::string_view key, std::string_view path) {
  if (Field(object, key) == nullptr) return InvalidArgument(FieldPath(path, key) + " is required");
  return OkStatus();
}

Status ReadBool(const Json& object, std::string_view key, std::string_view path, bool& out) {
  const Json* v = Field(object, key);
  if (v == nullptr) return OkStatus();
  if (!v->is_boolean()) {
    return InvalidArgument(FieldPath(path, key) + " must be true or false, got " + v->dump());
  }
  out = v->get<bool>();
  return OkStatus();
}

Status ReadSeconds(const Json& object, std::string_view key, std::string_view path,
                   long long& out_ms) {
  const Json* v = Field(object, key);
  if (v == nullptr) return OkStatus();
  if (!v->is_number()) {
    return InvalidArgument(FieldPath(path, key) + " must be a number of seconds, got " + v->dump());
  }
  const double seconds = v->get<double>();
  if (!std::isfinite(seconds) || seconds < 0 || seconds > 1e9) {
    return InvalidArgument(FieldPath(path, key) + " must be between 0 and 1e9 seconds");
  }
  out_ms = std::llround(seconds * 1000.0);
  return OkStatus();
}

Status ReadStringMap(const Json& object, std::string_view key, std::string_view path,
                     core::StringMap& out) {
  const Json* v = Field(object, key);
  if (v == nullptr) return OkStatus();
  const std::string field = FieldPath(path, key);
  if (!v->is_object()) {
    return InvalidArgument(field + " must be an object of strings, got " + TypeName(*v));
  }
  core::StringMap map;
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (!it->is_string()) {
      return InvalidArgument(FieldPath(field, it.key()) + " must be a string, got " +
                             TypeName(*it));
    }
    map[it.key()] = it->get<std::string>();
  }
  out = std::move(map);
  return OkStatus();
}

Status ReadKeyValue(const Json& body, std::string& key, std::string& value) {
  IMSEMU_RETURN_IF_ERROR(ExpectObject(body, ""));
  IMSEMU_RETURN_IF_ERROR(RejectUnknownFields(body, "", {"key", "value"}));
  for (const char* field : {"key", "value"}) IMSEMU_RETURN_IF_ERROR(Require(body, field, ""));
  IMSEMU_RETURN_IF_ERROR(ReadString(body, "key", "", key));
  return ReadString(body, "value", "", value);
}

StatusOr<Duration> ParseDuration(const Json& value) {
  if (value.is_number()) {
    const double seconds = value.get<double>();
    if (!std::isfinite(seconds) || seconds < 0) return InvalidArgument("durations are >= 0");
    return Duration(std::llround(seconds * 1000));
  }
  if (!value.is_string()) return InvalidArgument("a duration is like 12s, 500ms or 2m");
  const std::string text = value.get<std::string>();
  size_t end = 0;
  double number = 0;
  try {
    number = std::stod(text, &end);
  } catch (const std::exception&) {
    return InvalidArgument("'" + text + "' is not a duration (like 12s, 500ms or 2m)");
  }
  const std::string unit = text.substr(end);
  double ms = 0;
  if (unit == "ms") {
    ms = number;
  } else if (unit == "s" || unit.empty()) {
    ms = number * 1000;
  } else if (unit == "m") {
    ms = number * 60000;
  } else if (unit == "h") {
    ms = number * 3600000;
  } else {
    return InvalidArgument("'" + text + "' has an unknown unit (ms, s, m or h)");
  }
  if (!std::isfinite(ms) || ms < 0) return InvalidArgument("durations are >= 0");
  return Duration(std::llround(ms));
}

}  // namespace imsemu::codec
