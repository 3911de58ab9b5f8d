// Every listener under hostile input: foreign Host and Origin, bytes that are
// not UTF-8, lying Content-Length headers, pipelining, odd content types, and
// exceptions where none should be. Each request goes over real HTTP on
// loopback (or, for the last-resort guard, straight to the connection loop).
#include "emulator/http/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <regex>
#include <thread>

#include "tests/testing/test_emulator.h"
#include "tests/testing/test_world.h"

namespace imsemu {
namespace {
using test::kAllocationsPath;
using test::kDefaultSessionsPath;

using test::Client;
using test::ExpectErrorShape;
using test::Json;
using test::kAllocation;
using test::kProject;

const std::string kCommandSpec =
    R"({"name":"x","annotations":{"session_type":"x"},"payload_spec":{"command":"/bin/sh","args":["-c","id > pwned.txt"]}})";

// A whole HTTP/1.1 request as bytes.
std::string Request(const std::string& method, const std::string& path,
                    const std::string& headers = "Host: 127.0.0.1\r\n",
                    const std::string& body = "") {
  std::string r = method + " " + path + " HTTP/1.1\r\n" + headers;
  if (!body.empty()) r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return r + "\r\n" + body;
}

// The status codes of every response in `raw`, in order.
std::vector<int> Statuses(const std::string& raw) {
  std::vector<int> out;
  std::regex line(R"(HTTP/1\.1 (\d{3}) )");
  for (auto it = std::sregex_iterator(raw.begin(), raw.end(), line); it != std::sregex_iterator();
       ++it) {
    out.push_back(std::stoi((*it)[1]));
  }
  return out;
}

// The body of the last response in `raw`, parsed (discarded if not JSON).
Json LastBody(const std::string& raw) {
  const size_t at = raw.rfind("\r\n\r\n");
  return at == std::string::npos ? Json() : Json::parse(raw.substr(at + 4), nullptr, false);
}

class HttpServerTest : public ::testing::Test {
 protected:
  void Start(EmulatorOptions options = {}) {
    core::AllocationSpec spec = test::TestSpec(2);
    emulator_ = test::StartEmulator(test::OneAllocation(spec), std::move(options));
    ASSERT_NE(emulator_, nullptr);
    main_ = std::make_unique<Client>(test::MainAddress(*emulator_));
  }
  void SetUp() override { Start(); }
  size_t Allocations() { return emulator_->world().Snapshot().allocations.size(); }
  size_t Sessions() {
    return main_->Get(kDefaultSessionsPath, {{"Authorization", "Bearer p/t"}})
        .body["sessions"]
        .size();
  }
  Client OwnPort(const std::string& payload) { return Client(emulator_->PayloadApiOf(payload)); }

  std::unique_ptr<EmulatorImpl> emulator_;
  std::unique_ptr<Client> main_;
};

TEST_F(HttpServerTest, ARebindingHostCannotCreateAnAllocationThatRunsACommand) {
  const std::string raw = main_->SendRaw(
      Request("POST", kAllocationsPath,
              "Host: evil.example:9350\r\nContent-Type: text/plain\r\nConnection: close\r\n",
              kCommandSpec));
  EXPECT_EQ(Statuses(raw), std::vector<int>{403}) << raw;
  const Json body = LastBody(raw);
  EXPECT_NE(body.value("message", "").find("evil.example"), std::string::npos) << raw;
  EXPECT_TRUE(body.contains("request_id"));
  EXPECT_EQ(Allocations(), 1u);
}

TEST_F(HttpServerTest, EveryListenerRefusesAForeignHost) {
  const std::string id = test::FirstPayloadId(*emulator_);
  Client own = OwnPort(id);
  for (Client* c : {main_.get(), &own}) {
    const std::string raw = c->SendRaw(
        Request("POST", "/api/v0/ready", "Host: rebind.example\r\nConnection: close\r\n"));
    EXPECT_EQ(Statuses(raw), std::vector<int>{403}) << raw;
  }
  const std::string shared =
      main_->SendRaw(Request("POST", "/payloads/" + id + "/api/v0/ready",
                             "Host: rebind.example\r\nConnection: close\r\n"));
  EXPECT_EQ(Statuses(shared), std::vector<int>{403}) << shared;
  EXPECT_EQ(emulator_->world().GetPayload(id)->state, core::PayloadState::kReady);
  // The same calls from a loopback name work.
  ExpectErrorShape(own.Get("/api/v0/nope"), 404);
}

TEST_F(HttpServerTest, AForeignOriginCannotResetMoveTheClockOrReadConfigs) {
  const httplib::Headers evil = {{"Origin", "http://evil.example"}};
  ExpectErrorShape(
      main_->Post("/emulator/v0/clock/advance", R"({"seconds": 60})", "text/plain", evil), 403);
  ExpectErrorShape(main_->Post("/emulator/v0/reset", "", "text/plain", evil), 403);
  ExpectErrorShape(main_->Get("/emulator/v0/state", evil), 403);
  ExpectErrorShape(main_->Post(kDefaultSessionsPath, "{}", "text/plain",
                               {{"Origin", "null"}, {"Authorization", "Bearer p/t"}}),
                   403);
  EXPECT_EQ(main_->Get("/emulator/v0/clock").body["now"], "2026-01-01T00:00:00Z");
  EXPECT_EQ(Sessions(), 0u);
  // The emulator's own origin (the dashboard) may.
  const std::string own = "http://localhost:" + std::to_string(emulator_->port());
  EXPECT_EQ(main_->Get("/emulator/v0/state", {{"Origin", own}}).status, 200);
  EXPECT_EQ(
      OwnPort(test::FirstPayloadId(*emulator_)).Get("/api/v0/payload", {{"Origin", own}}).status,
      200);
}

TEST_F(HttpServerTest, AllowedHostsAreTrustedInHostAndOrigin) {
  EmulatorOptions options;
  options.allowed_hosts = {"DevBox.Studio.lan"};
  Start(options);
  const std::string raw = main_->SendRaw(
      Request("GET", "/emulator/v0/health",
              "Host: devbox.studio.lan:9350\r\nOrigin: http://devbox.studio.lan:8000\r\n"
              "Connection: close\r\n"));
  EXPECT_EQ(Statuses(raw), std::vector<int>{200}) << raw;
}

TEST_F(HttpServerTest, HttpAllocationsMayNotStartProcessesUnlessAllowed) {
  auto r = main_->Post(kAllocationsPath, kCommandSpec);
  ExpectErrorShape(r, 403);
  EXPECT_NE(r.body["message"].get<std::string>().find("payload_spec.command"), std::string::npos);
  EXPECT_NE(r.body["message"].get<std::string>().find("--allow-http-commands"), std::string::npos);
  EXPECT_EQ(Allocations(), 1u);
  // Nor may a replace swap a command in.
  ExpectErrorShape(main_->Put(kAllocationsPath + "/" + kAllocation, kCommandSpec), 403);
  EXPECT_TRUE(emulator_->world().Snapshot().allocations[0].spec.payload_spec.command.empty());
  // Without a command, creating is fine.
  EXPECT_EQ(
      main_->Post(kAllocationsPath, R"({"name":"y","annotations":{"session_type":"y"}})").status,
      200);
}

TEST_F(HttpServerTest, HttpAllocationsMayNotStartContainersUnlessAllowed) {
  const std::string image_spec =
      R"({"name":"x","annotations":{"session_type":"x"},"buffer_size":0,
          "payload_spec":{"image":"localhost/game:1"}})";
  auto r = main_->Post(kAllocationsPath, image_spec);
  ExpectErrorShape(r, 403);
  EXPECT_NE(r.body["message"].get<std::string>().find("payload_spec.image"), std::string::npos);
  EXPECT_EQ(Allocations(), 1u);
  ExpectErrorShape(main_->Put(kAllocationsPath + "/" + kAllocation, image_spec), 403);

  EmulatorOptions open;
  open.allow_http_commands = true;
  open.container_runtime = "/bin/true";  // holds every image: `image inspect` succeeds
  Start(open);
  auto created = main_->Post(kAllocationsPath, image_spec);
  ASSERT_EQ(created.status, 200) << created.raw;
  EXPECT_EQ(created.body["result"]["payload_spec"]["image"], "localhost/game:1");
  // Absent, auto_ready is off: a container runs a real game server.
  EXPECT_EQ(created.body["result"]["auto_ready"], false);
  // Bad images are refused by rule, naming the field, and change nothing.
  for (const auto& [image, rule] : {std::pair{R"("--privileged")", "must not start with '-'"},
                                    std::pair{R"("game server")", "must not contain spaces"},
                                    std::pair{R"(7)", "payload_spec.image must be a string"}}) {
    auto bad = main_->Post(kAllocationsPath, R"({"name":"y","annotations":{"session_type":"y"},
        "payload_spec":{"image":)" + std::string(image) +
                                                 "}}");
    ExpectErrorShape(bad, 400);
    EXPECT_NE(bad.body["message"].get<std::string>().find(rule), std::string::npos) << bad.raw;
  }
  auto both = main_->Post(kAllocationsPath, R"({"name":"y","annotations":{"session_type":"y"},
      "payload_spec":{"image":"a","command":"/bin/true"}})");
  ExpectErrorShape(both, 400);
  EXPECT_NE(both.body["message"].get<std::string>().find("not both"), std::string::npos);
  EXPECT_EQ(Allocations(), 2u);
}

TEST_F(HttpServerTest, ReplacingKeepsAFixtureCommandAndTheFlagAllowsNewOnes) {
  core::AllocationSpec spec = test::TestSpec(0);
  spec.payload_spec.command = "/bin/true";
  EmulatorOptions locked;
  emulator_ = test::StartEmulator(test::OneAllocation(spec), locked);
  main_ = std::make_unique<Client>(test::MainAddress(*emulator_));
  Json body = main_->Get(kAllocationsPath + "/" + kAllocation).body["result"];
  body.erase("id");
  body.erase("project_id");
  body.erase("created");
  body.erase("state");
  body["min_payloads"] = 0;
  auto kept = main_->Put(kAllocationsPath + "/" + kAllocation, body.dump());
  EXPECT_EQ(kept.status, 200) << kept.raw;
  body["payload_spec"]["args"] = Json::array({"-c", "evil"});
  ExpectErrorShape(main_->Put(kAllocationsPath + "/" + kAllocation, body.dump()), 403);

  EmulatorOptions open;
  open.allow_http_commands = true;
  Start(open);
  EXPECT_EQ(main_
                ->Post(kAllocationsPath, R"({"name":"x","annotations":{"session_type":"x"},
      "buffer_size":0,"payload_spec":{"command":"/bin/true"}})")
                .status,
            200);
}

TEST_F(HttpServerTest, AGameServerThatCannotStartIsA400NamingTheFieldAndChangesNothing) {
  EmulatorOptions open;
  open.allow_http_commands = true;
  open.container_runtime = "/bin/false";  // holds no image
  Start(open);
  const size_t before = Allocations();
  auto missing = main_->Post(kAllocationsPath, R"({"name":"x","annotations":{"session_type":"x"},
      "payload_spec":{"command":"/nonexistent/game-server"}})");
  ExpectErrorShape(missing, 400);
  EXPECT_EQ(missing.body["message"],
            "payload_spec.command: cannot start '/nonexistent/game-server': No such file or "
            "directory");
  auto not_held = main_->Post(kAllocationsPath, R"({"name":"y","annotations":{"session_type":"y"},
      "payload_spec":{"image":"localhost/never-built:1"}})");
  ExpectErrorShape(not_held, 400);
  EXPECT_NE(
      not_held.body["message"].get<std::string>().find(
          "payload_spec.image: cannot run the image 'localhost/never-built:1' with /bin/false"),
      std::string::npos)
      << not_held.raw;
  EXPECT_EQ(Allocations(), before);
  // A command that starts is taken.
  EXPECT_EQ(main_
                ->Post(kAllocationsPath, R"({"name":"z","annotations":{"session_type":"z"},
      "buffer_size":0,"payload_spec":{"command":"/bin/true"}})")
                .status,
            200);
}

TEST_F(HttpServerTest, InvalidUtf8AnywhereIsA4xxInValidJson) {
  const std::string bad_paths[] = {
      "/no/such/%FF",
      "/api/v0/projects/%FF/sessions?session_type=default",
      "/api/v0/projects/" + std::string(kProject) + "/sessions?session_type=%C0%AF",
      "/api/v0/projects/p%FF/allocations",
      "/api/v0/projects/p/allocations/%ED%A0%80",
      "/payloads/%FF/api/v0/payload",
      "/emulator/v0/payloads/%FF/state",
      "/emulator/v0/events?after=%FF",
  };
  for (const std::string& path : bad_paths) {
    const std::string raw = main_->SendRaw(Request(
        "GET", path, "Host: 127.0.0.1\r\nAuthorization: Bearer p/t\r\nConnection: close\r\n"));
    ASSERT_EQ(Statuses(raw).size(), 1u) << path << "\n" << raw;
    EXPECT_EQ(Statuses(raw)[0], 400) << path;
    EXPECT_TRUE(LastBody(raw).contains("message")) << raw;
  }
  // Raw bytes in headers that are echoed into messages.
  const std::string raw = main_->SendRaw(
      Request("POST", kDefaultSessionsPath,
              "Host: 127.0.0.1\r\nAuthorization: Bearer \xFF\xFE\r\nConnection: close\r\n", "{}"));
  ASSERT_EQ(Statuses(raw).size(), 1u) << raw;
  EXPECT_EQ(Statuses(raw)[0] / 100, 4);
  EXPECT_TRUE(LastBody(raw).is_object()) << raw;
  EXPECT_EQ(Sessions(), 0u);
  // The emulator is still serving.
  EXPECT_EQ(main_->Get("/emulator/v0/health").status, 200);
}

TEST_F(HttpServerTest, AMalformedContentLengthIs400AndRunsNothing) {
  for (const char* length : {"abc", "-1", "99999999999999999999", "1e3", "5, 6"}) {
    const std::string raw = main_->SendRaw(
        Request("POST", kDefaultSessionsPath,
                std::string("Host: 127.0.0.1\r\nAuthorization: Bearer p/t\r\nContent-Length: ") +
                    length + "\r\n",
                "") +
        "{}");
    EXPECT_EQ(Statuses(raw), std::vector<int>{400}) << length << "\n" << raw;
    EXPECT_NE(LastBody(raw).value("message", "").find("Content-Length"), std::string::npos);
  }
  // Two lengths that disagree, or a length with chunked encoding: request smuggling shapes.
  for (const char* headers : {"Content-Length: 2\r\nContent-Length: 3\r\n",
                              "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n"}) {
    const std::string raw = main_->SendRaw(
        Request("POST", kDefaultSessionsPath,
                std::string("Host: 127.0.0.1\r\nAuthorization: Bearer p/t\r\n") + headers) +
        "{}");
    EXPECT_EQ(Statuses(raw), std::vector<int>{400}) << raw;
  }
  EXPECT_EQ(Sessions(), 0u);
}

TEST_F(HttpServerTest, ADeclaredBodyOverTheLimitIs413BeforeItIsSent) {
  const std::string raw = main_->SendRaw(
      Request("POST", kDefaultSessionsPath,
              "Host: 127.0.0.1\r\nAuthorization: Bearer p/t\r\nContent-Length: 2097152\r\n"));
  EXPECT_EQ(Statuses(raw), std::vector<int>{413}) << raw;
  EXPECT_EQ(Sessions(), 0u);
}

TEST_F(HttpServerTest, PipelinedRequestsAreAllAnsweredInOrder) {
  const std::string id = test::FirstPayloadId(*emulator_);
  const std::string h = "Host: 127.0.0.1\r\nAuthorization: Bearer p/t\r\n";
  const std::string raw = main_->SendRaw(
      Request("GET", "/emulator/v0/health", h) + Request("POST", kDefaultSessionsPath, h, "{}") +
      Request("GET", "/nope", h) +
      Request("GET", "/payloads/" + id + "/api/v0/payload", h + "Connection: close\r\n"));
  EXPECT_EQ(Statuses(raw), (std::vector<int>{200, 200, 404, 200})) << raw;
  EXPECT_EQ(Sessions(), 1u);
}

TEST_F(HttpServerTest, FormEncodedBodiesAreReadUpToTheLimitAsJson) {
  const std::string config(100 * 1024, 'x');
  auto r = main_->Post(kDefaultSessionsPath, Json({{"session_config", config}}).dump(),
                       "application/x-www-form-urlencoded", {{"Authorization", "Bearer p/t"}});
  ASSERT_EQ(r.status, 200) << r.raw.substr(0, 300);
  EXPECT_EQ(
      main_->Get("/emulator/v0/payloads/" + r.body["id"].get<std::string>() + "/session-config")
          .body["config"],
      config);
  // A form body is no back door for query parameters.
  auto form =
      main_->Post("/api/v0/projects/" + std::string(kProject) + "/sessions", "session_type=default",
                  "application/x-www-form-urlencoded", {{"Authorization", "Bearer p/t"}});
  ExpectErrorShape(form, 400);
  ExpectErrorShape(
      main_->Post(kDefaultSessionsPath, "--b\r\n\r\n", "multipart/form-data; boundary=b",
                  {{"Authorization", "Bearer p/t"}}),
      400);
  EXPECT_EQ(Sessions(), 1u);
}

// The last-resort guard: an exception that escapes httplib's own handling is
// a 500 in the error shape and a closed connection, and the server goes on.
TEST(HttpServerGuardTest, NoExceptionStopsTheServer) {
  http::RequestIds ids;
  http::AccessPolicy access;
  http::HttpServer server(ids, 2, access);
  server.routes().Get("/throws", [](const httplib::Request&, httplib::Response&) { throw 42; });
  server.routes().set_error_handler(
      [](const httplib::Request&, httplib::Response&) { throw std::runtime_error("boom"); });
  ASSERT_TRUE(server.Start("127.0.0.1", 0).ok());
  Client c("127.0.0.1:" + std::to_string(server.port()));
  ExpectErrorShape(c.Get("/throws"), 500);
  const std::string raw = c.SendRaw(Request("GET", "/missing"));
  EXPECT_EQ(Statuses(raw), std::vector<int>{500}) << raw;
  EXPECT_NE(LastBody(raw).value("message", "").find("boom"), std::string::npos) << raw;
  // In memory, too, and for bytes that are no HTTP at all.
  EXPECT_EQ(Statuses(server.ServeBytes(Request("GET", "/missing"))), std::vector<int>{500});
  EXPECT_EQ(Statuses(server.ServeBytes("\x01\x02 garbage\r\n\r\n")), std::vector<int>{500});
  ExpectErrorShape(c.Get("/throws"), 500);
}

TEST(HttpServerGuardTest, ServesPipelinedBytesInMemory) {
  http::RequestIds ids;
  http::AccessPolicy access;
  http::HttpServer server(ids, 1, access);
  server.routes().Get("/a", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("A", "text/plain");
  });
  const std::string out =
      server.ServeBytes(Request("GET", "/a") + Request("GET", "/b") + Request("GET", "/a"));
  EXPECT_EQ(Statuses(out), (std::vector<int>{200, 404, 200})) << out;
}

// A bracket (the world's group commit) sees each handled request begin and
// end on its worker thread; when End() fails, the answer is a 500 in the
// error shape, not the handler's 200. A refused request is never bracketed.
class CountingBracket : public http::RequestBracket {
 public:
  void Begin() override { ++begun; }
  Status End() override {
    ++ended;
    return fail ? Status(StatusCode::kInternal, "disk full") : OkStatus();
  }
  std::atomic<int> begun{0}, ended{0};
  std::atomic<bool> fail{false};
};

TEST(HttpServerBracketTest, AFailedEndTurnsTheAnswerInto500) {
  http::RequestIds ids;
  http::AccessPolicy access;
  http::HttpServer server(ids, 2, access);
  CountingBracket bracket;
  server.BracketRequests(&bracket);
  server.routes().Post("/change", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{}", "application/json");
  });
  ASSERT_TRUE(server.Start("127.0.0.1", 0).ok());
  Client c("127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(c.Post("/change", "{}").status, 200);
  bracket.fail = true;
  const auto failed = c.Post("/change", "{}");
  ExpectErrorShape(failed, 500);
  EXPECT_NE(failed.body.value("message", "").find("could not be stored: disk full"),
            std::string::npos)
      << failed.raw;
  const std::string refused = c.SendRaw(Request("POST", "/change", "Host: evil.example\r\n", "{}"));
  EXPECT_EQ(Statuses(refused), std::vector<int>{403}) << refused;
  EXPECT_EQ(bracket.begun.load(), 2);
  EXPECT_EQ(bracket.ended.load(), 2);
}

// A listener bound but not yet serving (the world binds under its lock and
// serves later): early connections wait in the backlog; asked to stop first,
// it frees its port at once and never serves.
TEST(HttpServerLifecycleTest, BoundBeforeServedThenServedOrStopped) {
  http::RequestIds ids;
  http::AccessPolicy access;
  http::HttpServer early(ids, 1, access);
  early.routes().Get("/ping", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("pong", "text/plain");
  });
  ASSERT_TRUE(early.Bind("127.0.0.1", 0).ok());
  Client client("127.0.0.1:" + std::to_string(early.port()));
  std::thread ping([&] { EXPECT_EQ(client.Get("/ping").raw, "pong"); });
  early.Serve();  // the request waiting in the backlog is answered
  ping.join();
  early.Stop();

  http::HttpServer never(ids, 1, access);
  ASSERT_TRUE(never.Bind("127.0.0.1", 0).ok());
  const int port = never.port();
  never.RequestStop();
  never.Serve();  // does nothing now
  EXPECT_EQ(Client("127.0.0.1:" + std::to_string(port)).Get("/ping").status, 0)
      << "the port was closed";
  http::HttpServer again(ids, 1, access);
  EXPECT_TRUE(again.Bind("127.0.0.1", port).ok()) << "and is free for another listener";
}

}  // namespace
}  // namespace imsemu
