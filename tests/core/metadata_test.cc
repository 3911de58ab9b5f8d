#include "emulator/core/metadata.h"

#include <gtest/gtest.h>

namespace imsemu::core {
namespace {

TEST(MetadataTest, AcceptsKeysOfTheDocumentedShape) {
  for (const char* key : {"foo", "foo_123", "a", "A.b-c_d", "9lives"}) {
    EXPECT_TRUE(ValidateMetadataKey("key", key).ok()) << key;
  }
  EXPECT_TRUE(ValidateMetadataKey("key", std::string(59, 'k')).ok());
}

TEST(MetadataTest, RefusesKeysThatBreakARule) {
  for (const char* key : {"", "_foo", "foo_", "foo/bar", "-a", "a b", "é"}) {
    Status s = ValidateMetadataKey("labels", key);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << key;
    EXPECT_NE(s.message().find("labels"), std::string::npos) << s.message();
  }
  Status s = ValidateMetadataKey("key", std::string(60, 'k'));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("59"), std::string::npos);
}

TEST(MetadataTest, LabelValuesMayBeEmptyOrFollowTheKeyRule) {
  EXPECT_TRUE(ValidateMetadataValue("v", MetadataKind::kLabel, "").ok());
  EXPECT_TRUE(ValidateMetadataValue("v", MetadataKind::kLabel, "eu-west.1").ok());
  EXPECT_TRUE(ValidateMetadataValue("v", MetadataKind::kLabel, std::string(63, 'v')).ok());
  EXPECT_EQ(ValidateMetadataValue("v", MetadataKind::kLabel, std::string(64, 'v')).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateMetadataValue("v", MetadataKind::kLabel, "has space").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateMetadataValue("v", MetadataKind::kLabel, "_x").code(),
            StatusCode::kInvalidArgument);
}

TEST(MetadataTest, AnnotationValuesAreAnyTextUpTo256kB) {
  EXPECT_TRUE(ValidateMetadataValue("v", MetadataKind::kAnnotation, "any {text} / ü").ok());
  EXPECT_TRUE(
      ValidateMetadataValue("v", MetadataKind::kAnnotation, std::string(256 * 1024, 'a')).ok());
  Status s =
      ValidateMetadataValue("v", MetadataKind::kAnnotation, std::string(256 * 1024 + 1, 'a'));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("256 kB"), std::string::npos);
}

TEST(MetadataTest, ValidateMetadataNamesTheEntry) {
  Status s = ValidateMetadata("payload_metadata.labels", MetadataKind::kLabel,
                              {{"ok", "fine"}, {"region", "bad value"}});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("payload_metadata.labels.region"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace imsemu::core
