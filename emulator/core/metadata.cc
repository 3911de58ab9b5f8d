#include "emulator/core/metadata.h"

#include <cctype>

namespace imsemu::core {
namespace {

bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// The character rule shared by keys and non-empty label values.
bool FollowsCharacterRule(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

constexpr const char* kCharacterRule =
    "must start and end with a letter or digit and contain only letters, digits, "
    "'-', '_' and '.'";

}  // namespace

Status ValidateMetadataKey(std::string_view field, std::string_view key) {
  if (key.empty()) return InvalidArgument(std::string(field) + ": key must not be empty");
  if (key.size() > kMaxKeyLength) {
    return InvalidArgument(std::string(field) + ": key '" + std::string(key) +
                           "' is longer than 59 characters");
  }
  if (!FollowsCharacterRule(key)) {
    return InvalidArgument(std::string(field) + ": key '" + std::string(key) + "' " +
                           kCharacterRule);
  }
  return OkStatus();
}

Status ValidateMetadataValue(std::string_view field, MetadataKind kind, std::string_view value) {
  if (kind == MetadataKind::kAnnotation) {
    if (value.size() > kMaxAnnotationValueBytes) {
      return InvalidArgument(std::string(field) + ": annotation value is larger than 256 kB (" +
                             std::to_string(value.size()) + " bytes)");
    }
    return OkStatus();
  }
  if (value.empty()) return OkStatus();
  if (value.size() > kMaxLabelValueLength) {
    return InvalidArgument(std::string(field) + ": label value is longer than 63 characters");
  }
  if (!FollowsCharacterRule(value)) {
    return InvalidArgument(std::string(field) + ": label value '" + std::string(value) + "' " +
                           kCharacterRule);
  }
  return OkStatus();
}

Status ValidateMetadata(std::string_view field, MetadataKind kind, const StringMap& entries) {
  for (const auto& [key, value] : entries) {
    IMSEMU_RETURN_IF_ERROR(ValidateMetadataKey(field, key));
    IMSEMU_RETURN_IF_ERROR(ValidateMetadataValue(std::string(field) + "." + key, kind, value));
  }
  return OkStatus();
}

}  // namespace imsemu::core
