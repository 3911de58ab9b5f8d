// JsonFields: reading typed fields out of client JSON, never throwing.
//
// Every reader names the field by its path (`payload_spec.ports[0].name`) and
// the rule it broke. A JSON null in an optional field counts as absent, as
// the generated IMS clients send it. Pure functions.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "emulator/clock/clock.h"
#include "emulator/core/metadata.h"
#include "ims_emulator/status.h"

namespace imsemu::codec {

using Json = nlohmann::json;

// Parses `text`; InvalidArgument naming the position on malformed JSON.
// An empty (or all-whitespace) text parses as `empty_value`.
StatusOr<Json> ParseJson(std::string_view text, const Json& empty_value = Json::object(),
                         std::string_view what = "request body");

// Reads and parses the JSON file at `path`; InvalidArgument naming the file
// (`what` says what it is, e.g. "fixture file") if it cannot be read or parsed.
StatusOr<Json> ReadJsonFile(const std::string& path, std::string_view what);

// Joins a parent path and a key: ("a", "b") -> "a.b", ("", "b") -> "b".
std::string FieldPath(std::string_view parent, std::string_view key);

// InvalidArgument unless `value` is an object.
Status ExpectObject(const Json& value, std::string_view path);
// InvalidArgument if `object` has a key not in `allowed`.
Status RejectUnknownFields(const Json& object, std::string_view path,
                           std::initializer_list<std::string_view> allowed);

// Each reader leaves `out` unchanged when the field is absent or null and
// returns InvalidArgument when it has another type.
Status ReadString(const Json& object, std::string_view key, std::string_view path,
                  std::string& out);
Status ReadInt(const Json& object, std::string_view key, std::string_view path, int& out);
// ReadInt, and InvalidArgument unless min <= value <= max.
Status ReadIntInRange(const Json& object, std::string_view key, std::string_view path, int min,
                      int max, int& out);
// InvalidArgument naming `key` unless `object` has it, not null.
Status Require(const Json& object, std::string_view key, std::string_view path);
Status ReadBool(const Json& object, std::string_view key, std::string_view path, bool& out);
Status ReadSeconds(const Json& object, std::string_view key, std::string_view path,
                   long long& out_ms);
// A flat object of strings.
Status ReadStringMap(const Json& object, std::string_view key, std::string_view path,
                     core::StringMap& out);

// "12s", "500ms", "2m", "1.5h", "1.5s" or a number of seconds, as written in
// the files people write (scenarios, rehearsal plans).
StatusOr<Duration> ParseDuration(const Json& value);

// A metadata body {"key": string, "value": string}: both required.
Status ReadKeyValue(const Json& body, std::string& key, std::string& value);

}  // namespace imsemu::codec
