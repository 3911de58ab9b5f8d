// What the dashboard reads and serves, over real HTTP: the page itself and
// its headers, the journal's long poll and newest-first start, the clock's
// next timer, each payload's time in state and each session's cache lag. The
// page in a real browser is tests/dashboard_test.py.
#include <gtest/gtest.h>

#include <future>

#include "tests/testing/test_emulator.h"
#include "tests/testing/test_world.h"

namespace imsemu {
namespace {
using test::kPlayerAuth;

using test::Client;
using test::ExpectErrorShape;
using test::Json;

constexpr const char* kCreateSession =
    "/api/v0/projects/test-project/sessions?session_type=default";

class DashboardApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    emulator_ = test::StartEmulator(test::OneAllocation(test::TestSpec(2)));
    ASSERT_NE(emulator_, nullptr);
    client_ = std::make_unique<Client>(test::MainAddress(*emulator_));
  }

  std::string CreateSession() {
    auto r = client_->Post(kCreateSession, R"({"session_config":"cfg"})", "application/json",
                           kPlayerAuth);
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body.value("id", "");
  }

  void Advance(const std::string& body) {
    auto r = client_->Post("/emulator/v0/clock/advance", body);
    ASSERT_EQ(r.status, 200) << r.raw;
  }

  std::unique_ptr<EmulatorImpl> emulator_;
  std::unique_ptr<Client> client_;
};

TEST_F(DashboardApiTest, ServesThePageWithItsOwnFilesOnly) {
  auto page = client_->Get("/");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.raw.find("<title>ims-emulator</title>"), std::string::npos);
  EXPECT_NE(page.raw.find(R"(src="/dashboard/app.js")"), std::string::npos);
  auto header = [&](const test::Reply& r, const std::string& name) {
    auto it = r.headers.find(name);
    return it == r.headers.end() ? std::string() : it->second;
  };
  EXPECT_EQ(header(page, "Content-Type"), "text/html; charset=utf-8");
  const std::string csp = header(page, "Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_EQ(header(page, "X-Frame-Options"), "DENY");

  auto script = client_->Get("/dashboard/app.js");
  ASSERT_EQ(script.status, 200);
  EXPECT_EQ(header(script, "Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_NE(script.raw.find("'use strict';"), std::string::npos);
  auto style = client_->Get("/dashboard/style.css");
  ASSERT_EQ(style.status, 200);
  EXPECT_EQ(header(style, "Content-Type"), "text/css; charset=utf-8");
  ExpectErrorShape(client_->Get("/dashboard/nope.js"), 404);
}

TEST_F(DashboardApiTest, AnotherOriginGetsNoPage) {
  auto r = client_->Get("/", {{"Origin", "http://127.0.0.1:1"}});
  ExpectErrorShape(r, 403);
  EXPECT_NE(r.body["message"].get<std::string>().find("Origin"), std::string::npos);
  EXPECT_EQ(client_->Get("/", {{"Host", "rebind.example:80"}}).status, 403);
}

TEST_F(DashboardApiTest, StateShowsTimeInStateAndTheSessionsCacheLag) {
  Advance(R"({"seconds": 3})");
  const std::string id = CreateSession();
  Advance(R"({"seconds": 2})");  // 00:00:05
  ASSERT_EQ(Client(emulator_->PayloadApiOf(id))
                .Post("/api/v0/session-manager/status", R"({"phase":"lobby"})")
                .status,
            200);
  Advance(R"({"seconds": 1})");  // 00:00:06

  auto state = client_->Get("/emulator/v0/state");
  ASSERT_EQ(state.status, 200);
  for (const Json& p : state.body["payloads"]) {
    if (p["id"] == id) {
      EXPECT_EQ(p["created"], "2026-01-01T00:00:00Z");
      EXPECT_EQ(p["state_since"], "2026-01-01T00:00:03Z") << "Reserved since the session";
    } else {
      EXPECT_EQ(p["state_since"], p["created"]) << "Ready since created: " << p.dump();
    }
  }
  ASSERT_EQ(state.body["sessions"].size(), 1u);
  Json session = state.body["sessions"][0];
  EXPECT_EQ(session["id"], id);
  EXPECT_EQ(session["created"], "2026-01-01T00:00:03Z");
  EXPECT_EQ(session["session_status"], Json({{"phase", "lobby"}})) << "what the server set";
  EXPECT_EQ(session["status_set_at"], "2026-01-01T00:00:05Z");
  EXPECT_EQ(session["clients_see"], Json::object()) << "the cache refreshes at 00:00:12";
  EXPECT_EQ(session["clients_see_latest_at"], "2026-01-01T00:00:12Z");

  Advance(R"({"seconds": 6})");  // 00:00:12
  session = client_->Get("/emulator/v0/state").body["sessions"][0];
  EXPECT_EQ(session["clients_see"], Json({{"phase", "lobby"}}));
  EXPECT_FALSE(session.contains("clients_see_latest_at")) << "they agree";
}

TEST_F(DashboardApiTest, TheClockNamesTheNextTimerAndAdvancesToIt) {
  EXPECT_FALSE(client_->Get("/emulator/v0/clock").body.contains("next_timer"));
  auto refused = client_->Post("/emulator/v0/clock/advance", R"({"to": "next_timer"})");
  ExpectErrorShape(refused, 409);
  EXPECT_EQ(refused.body["message"], "no timer is armed: nothing happens by itself");

  // A clean exit: Shutdown now, removed after the linger, then replaced.
  const std::string id = test::FirstPayloadId(*emulator_);
  ASSERT_EQ(client_->Post("/emulator/v0/payloads/" + id + "/exit", R"({"code": 0})").status, 200);
  auto clock = client_->Get("/emulator/v0/clock");
  ASSERT_TRUE(clock.body.contains("next_timer")) << clock.raw;
  const std::string next = clock.body["next_timer"];
  EXPECT_GT(next, clock.body["now"].get<std::string>());
  EXPECT_EQ(client_->Get("/emulator/v0/state").body["clock"]["next_timer"], next);

  auto moved = client_->Post("/emulator/v0/clock/advance", R"({"to": "next_timer"})");
  ASSERT_EQ(moved.status, 200) << moved.raw;
  EXPECT_EQ(moved.body["now"], next) << "exactly to the deadline";

  ExpectErrorShape(client_->Post("/emulator/v0/clock/advance", R"({"to": "later"})"), 400);
  ExpectErrorShape(
      client_->Post("/emulator/v0/clock/advance", R"({"to": "next_timer", "seconds": 1})"), 400);
  ExpectErrorShape(client_->Post("/emulator/v0/clock/advance", R"({"to": 1})"), 400);
}

TEST(DashboardApiRealClockTest, ToTheNextTimerIs409UnderTheRealClock) {
  EmulatorOptions options;
  options.virtual_clock = false;
  auto emulator = test::StartEmulator(test::OneAllocation(test::TestSpec(1)), options);
  Client c(test::MainAddress(*emulator));
  ExpectErrorShape(c.Post("/emulator/v0/clock/advance", R"({"to": "next_timer"})"), 409);
}

TEST_F(DashboardApiTest, TheJournalStartsFromItsNewestEvents) {
  auto all = client_->Get("/emulator/v0/events");
  const Json& events = all.body["events"];
  ASSERT_GE(events.size(), 3u);
  auto newest = client_->Get("/emulator/v0/events?last=2");
  ASSERT_EQ(newest.status, 200);
  ASSERT_EQ(newest.body["events"].size(), 2u);
  EXPECT_EQ(newest.body["events"][1], events.back());
  EXPECT_EQ(newest.body["next_after"], events.back()["seq"]);
  EXPECT_EQ(client_->Get("/emulator/v0/events?last=100000").body["events"], events);
  EXPECT_EQ(client_->Get("/emulator/v0/events?last=0").body["events"], Json::array());
  ExpectErrorShape(client_->Get("/emulator/v0/events?last=2&after=1"), 400);
  ExpectErrorShape(client_->Get("/emulator/v0/events?last=x"), 400);
}

// A long poll answers as soon as something happens; it never needs the
// wait to run out, so this test does not depend on timing.
TEST_F(DashboardApiTest, ALongPollAnswersWithTheNextEvent) {
  const long long end = client_->Get("/emulator/v0/events?last=0").body["next_after"];
  auto poll = std::async(std::launch::async, [&] {
    return Client(test::MainAddress(*emulator_))
        .Get("/emulator/v0/events?after=" + std::to_string(end) + "&wait=30");
  });
  const std::string id = CreateSession();
  test::Reply r = poll.get();
  ASSERT_EQ(r.status, 200) << r.raw;
  ASSERT_FALSE(r.body["events"].empty());
  EXPECT_EQ(r.body["events"][0]["payload_id"], id);
  EXPECT_EQ(r.body["events"][0]["new_state"], "Reserved");

  auto nothing =
      client_->Get("/emulator/v0/events?after=" + r.body["next_after"].dump() + "&wait=0");
  EXPECT_EQ(nothing.body["events"], Json::array()) << "wait=0 answers at once";
  auto refused = client_->Get("/emulator/v0/events?wait=31");
  ExpectErrorShape(refused, 400);
  EXPECT_EQ(refused.body["message"], "wait must be at most 30 seconds, got 31");
}

// Stopping the emulator ends a long poll in progress.
TEST_F(DashboardApiTest, StoppingEndsALongPoll) {
  const long long end = client_->Get("/emulator/v0/events?last=0").body["next_after"];
  auto poll = std::async(std::launch::async, [&] {
    return Client(test::MainAddress(*emulator_))
        .Get("/emulator/v0/events?after=" + std::to_string(end) + "&wait=30");
  });
  // The poll may or may not have arrived yet: either way Stop() returns and
  // the poll ends (answered or refused), well before its 30 s.
  emulator_->Stop();
  test::Reply r = poll.get();
  if (r.status == 200) {
    EXPECT_EQ(r.body["events"], Json::array());
  }
}

}  // namespace
}  // namespace imsemu
