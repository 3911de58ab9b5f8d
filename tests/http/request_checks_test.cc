// RequestChecks: Host, Origin, UTF-8 and Content-Length rules as pure functions.
#include "emulator/http/request_checks.h"

#include <gtest/gtest.h>

namespace imsemu::http {
namespace {

// Allows devbox.studio.lan; the main port is 9350.
class Policy : public AccessPolicy {
 public:
  Policy() {
    allowed_hosts = {"devbox.studio.lan"};
    main_port = 9350;
  }
};

TEST(RequestChecksTest, HostMayBeALoopbackNameAnIpLiteralOrAnAllowedHost) {
  const Policy p;
  for (const char* host :
       {"localhost", "localhost:9350", "LOCALHOST:1", "localhost.", "game.localhost:80",
        "127.0.0.1", "127.0.0.1:41235", "[::1]", "[::1]:9350", "10.0.0.7:9350", "[fe80::1]:1",
        "devbox.studio.lan:9350", ""}) {
    EXPECT_TRUE(CheckHost(host, p).ok()) << host;
  }
}

TEST(RequestChecksTest, ForeignHostNamesAreRefusedAsRebinding) {
  const Policy p;
  for (const char* host : {"evil.example", "evil.example:9350", "localhost.evil.example",
                           "127.0.0.1.nip.io:9350", "studio.lan"}) {
    Status s = CheckHost(host, p);
    EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << host;
    EXPECT_NE(s.message().find("--allowed-host"), std::string::npos);
  }
}

TEST(RequestChecksTest, MalformedHostIsInvalid) {
  const Policy p;
  for (const char* host :
       {"a b", "localhost:", "localhost:99999", "localhost:9x", "[::1", "[::1]x", ":80", "a/b"}) {
    EXPECT_EQ(CheckHost(host, p).code(), StatusCode::kInvalidArgument) << host;
  }
}

TEST(RequestChecksTest, OriginMustBeTheEmulatorsOwnOrAnAllowedHosts) {
  const Policy p;
  EXPECT_TRUE(CheckOrigin("", "127.0.0.1:9350", p).ok());
  EXPECT_TRUE(CheckOrigin("http://127.0.0.1:9350", "127.0.0.1:9350", p).ok());
  EXPECT_TRUE(CheckOrigin("http://localhost:9350", "127.0.0.1:41235", p).ok());  // dashboard
  EXPECT_TRUE(CheckOrigin("http://[::1]:9350", "127.0.0.1:9350", p).ok());
  EXPECT_TRUE(CheckOrigin("http://10.0.0.7:9350", "10.0.0.7:9350", p).ok());  // same origin
  EXPECT_TRUE(CheckOrigin("https://devbox.studio.lan", "127.0.0.1:9350", p).ok());
  for (const char* origin :
       {"http://evil.example", "https://evil.example:9350", "null", "http://localhost:3000",
        "http://127.0.0.1:8080", "file://", "http://10.0.0.7:9350/x", "chrome-extension://abc",
        "http://evil.example:9350"}) {
    EXPECT_EQ(CheckOrigin(origin, "127.0.0.1:9350", p).code(), StatusCode::kPermissionDenied)
        << origin;
  }
}

TEST(RequestChecksTest, Utf8) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("d\xC3\xA9j\xC3\xA0 \xE2\x82\xAC \xF0\x9F\x8E\xAE"));
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\x80"));
}

TEST(RequestChecksTest, ContentLength) {
  EXPECT_FALSE(ParseContentLength({}).value().present);
  EXPECT_EQ(ParseContentLength({"42"}).value().bytes, 42u);
  EXPECT_EQ(ParseContentLength({" 7 ", "7"}).value().bytes, 7u);
  for (std::vector<std::string_view> bad : {std::vector<std::string_view>{"abc"},
                                            {"-1"},
                                            {""},
                                            {"1e3"},
                                            {"+5"},
                                            {"99999999999999999999"},
                                            {"1", "2"}}) {
    EXPECT_EQ(ParseContentLength(bad).status().code(), StatusCode::kInvalidArgument) << bad[0];
  }
}

TEST(RequestChecksTest, LoopbackAddresses) {
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackAddress("::1"));
  EXPECT_TRUE(IsLoopbackAddress("localhost"));
  EXPECT_FALSE(IsLoopbackAddress("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackAddress("::"));
  EXPECT_FALSE(IsLoopbackAddress("192.168.1.4"));
}

}  // namespace
}  // namespace imsemu::http
