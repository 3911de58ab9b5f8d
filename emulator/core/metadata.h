// Metadata: the labels and annotations IMS keeps on allocations and payloads.
//
// Rules (IMS docs): a key is 1..59 characters, first and last alphanumeric,
// only `-`, `_`, `.` and alphanumerics between. A label value is 0..63
// characters and, when non-empty, follows the key's character rule. An
// annotation value is any text up to 256 kB. Setting a key overwrites it;
// there is no delete. Pure functions.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "ims_emulator/status.h"

namespace imsemu::core {

using StringMap = std::map<std::string, std::string>;

inline constexpr size_t kMaxKeyLength = 59;
inline constexpr size_t kMaxLabelValueLength = 63;
inline constexpr size_t kMaxAnnotationValueBytes = 256 * 1024;

enum class MetadataKind { kLabel, kAnnotation };

// Returns InvalidArgument naming `field` and the broken rule if `key` is not a
// valid metadata key.
Status ValidateMetadataKey(std::string_view field, std::string_view key);

// Returns InvalidArgument if `value` breaks the value rule of `kind`.
Status ValidateMetadataValue(std::string_view field, MetadataKind kind, std::string_view value);

// Validates every entry of `entries`; `field` names the map in messages
// (e.g. "payload_metadata.labels").
Status ValidateMetadata(std::string_view field, MetadataKind kind, const StringMap& entries);

}  // namespace imsemu::core
