// A stand-in game server for the supervision tests. It prints its
// arguments and ORCHESTRATION_PAYLOAD_API, optionally calls ready, then exits
// with a given code (at once, or right after a successful ready call) or
// waits for a signal, optionally ignoring SIGTERM or leaving on it.
//   game_server_helper [--ready] [--grow MB] [--exit CODE | --abort]
//                      [--ignore-term | --graceful] [args...]
// --grow MB: after ready, takes MB megabytes of memory and writes to every
// page of it (resident), then prints "grown MB MB".
// It also prints the descriptors it was started with beyond standard error
// ("open fds: none" when there are none). Its listener is open before it
// starts (and the shared port is bound), so it needs no retry delays:
// nothing here waits on time.
#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "ims_emulator/clients.h"

int main(int argc, char** argv) {
  bool ready = false;
  std::optional<int> exit_code;
  int grow_mb = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--ready") ready = true;
    if (arg == "--exit" && i + 1 < argc) exit_code = std::atoi(argv[++i]);
    if (arg == "--grow" && i + 1 < argc) grow_mb = std::atoi(argv[++i]);
    if (arg == "--abort") std::abort();
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
  std::string fds;
  for (int fd = 3; fd < 1024; ++fd) {
    if (fcntl(fd, F_GETFD) != -1) fds += (fds.empty() ? "" : " ") + std::to_string(fd);
  }
  std::printf("open fds: %s\n", fds.empty() ? "none" : fds.c_str());
  const char* api = std::getenv("ORCHESTRATION_PAYLOAD_API");
  std::printf("ORCHESTRATION_PAYLOAD_API=%s\n", api ? api : "");
  std::printf("GAME_MODE=%s\n", std::getenv("GAME_MODE") ? std::getenv("GAME_MODE") : "");
  std::fflush(stdout);
  std::fprintf(stderr, "a line on stderr\n");
  std::fflush(stderr);
  if (ready && api != nullptr) {
    const bool ok = imsemu::PayloadClient(api).Ready().ok();
    std::printf("ready %s\n", ok ? "ok" : "failed");
    std::fflush(stdout);
  }
  if (grow_mb > 0) {
    const size_t bytes = static_cast<size_t>(grow_mb) << 20;
    char* memory = static_cast<char*>(std::malloc(bytes));
    for (size_t i = 0; memory != nullptr && i < bytes; i += 4096) memory[i] = 1;
    std::printf("grown %d MB\n", grow_mb);
    std::fflush(stdout);
  }
  if (exit_code) {
    std::printf("exiting with %d\n", *exit_code);
    return *exit_code;
  }
  while (true) pause();  // until a signal ends it
}
