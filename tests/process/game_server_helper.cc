// A stand-in game server for the supervision tests. It prints its
// arguments and ORCHESTRATION_PAYLOAD_API, optionally calls ready, then exits
// with a given code after a given time (or never), optionally ignoring
// SIGTERM.
//   game_server_helper [--ready] [--code N] [--exit-after-ms N] [--ignore-term | --graceful]
//                      [args...]
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include <unistd.h>

#include <httplib.h>

int main(int argc, char** argv) {
  bool ready = false;
  int code = 0;
  long exit_after_ms = -1;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--ready") ready = true;
    if (arg == "--code" && i + 1 < argc) code = std::atoi(argv[++i]);
    if (arg == "--exit-after-ms" && i + 1 < argc) exit_after_ms = std::atol(argv[++i]);
    if (arg == "--ignore-term")
      std::signal(SIGTERM, [](int) {
        const char text[] = "SIGTERM ignored\n";
        (void)!write(STDOUT_FILENO, text, sizeof text - 1);
      });
    if (arg == "--graceful")
      std::signal(SIGTERM, [](int) {
        const char text[] = "SIGTERM: leaving cleanly\n";
        (void)!write(STDOUT_FILENO, text, sizeof text - 1);
        _exit(0);
      });
    std::printf("arg %s\n", argv[i]);
  }
  const char* api = std::getenv("ORCHESTRATION_PAYLOAD_API");
  std::printf("ORCHESTRATION_PAYLOAD_API=%s\n", api ? api : "");
  std::printf("GAME_MODE=%s\n", std::getenv("GAME_MODE") ? std::getenv("GAME_MODE") : "");
  std::fflush(stdout);
  std::fprintf(stderr, "a line on stderr\n");
  std::fflush(stderr);
  if (ready && api != nullptr) {
    std::string value = api;
    const size_t slash = value.find('/');
    const std::string host_port = value.substr(0, slash);
    const std::string prefix = slash == std::string::npos ? "" : value.substr(slash);
    httplib::Client c("http://" + host_port);
    bool ok = false;
    for (int attempt = 0; attempt < 50 && !ok; ++attempt) {
      auto r = c.Post((prefix + "/api/v0/ready").c_str(), "", "application/json");
      ok = r && r->status == 200;
      if (!ok) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::printf("ready %s\n", ok ? "ok" : "failed");
    std::fflush(stdout);
  }
  if (exit_after_ms < 0) {
    while (true) std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(exit_after_ms));
  std::printf("exiting with %d\n", code);
  return code;
}
