// `serve`, `exec` and `payload-local-api`: their flags, the options they
// make, and the running emulator's life (what runs where, SIGINT/SIGTERM,
// the second Ctrl-C that kills game servers at once).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "emulator/cli/context.h"
#include "emulator/core/lifecycle.h"
#include "emulator/emulator.h"

namespace imsemu::cli {

// The flags of every command that runs an emulator.
struct CommonFlags {
  std::string clock;  // "" = real, or a resumed --state world's own
  std::string state = ":memory:";
  std::string state_writes;
  double keep_deleted = 3600;  // seconds  // "" (before-answer) or before-answer or behind
  uint64_t seed = 1;
  std::string log_level = "info";
  std::string auth = "any";
  std::string status_cache = "periodic";
  double status_cache_ttl = 12;
  std::string log_dir;
  double kill_grace = std::chrono::duration<double>(core::kSigtermGrace).count();
  std::string game_ports;
  std::string container_runtime;
};
void AddCommonFlags(CLI::App* app, CommonFlags& f);
// Fills the options the flags set; an error naming the flag when one is bad.
Status ApplyCommonFlags(const CommonFlags& f, EmulatorOptions& options);

struct ServeFlags {
  std::string host = "127.0.0.1";
  int port = 9350;
  std::string fixture;  // "" = the built-in default world
  std::string import;   // a snapshot file to start from
  std::string record;   // a scenario file to write
  bool record_overwrite = false;
  std::string exchange_log;
  std::string payload_address;  // "" = 127.0.0.1
  bool shared_port = false;
  std::vector<std::string> allowed_hosts;
  bool allow_http_commands = false;
  CommonFlags common;
};
void AddServeFlags(CLI::App* app, ServeFlags& f);
// Options for `serve` and `exec`; a warning on `warnings` when the host is
// not a loopback address.
StatusOr<EmulatorOptions> ServeOptions(const ServeFlags& f, std::ostream& warnings);

int Serve(const ServeFlags& f, const Context& context);

struct ExecFlags {
  ServeFlags serve;
  std::vector<std::string> command;
};
void AddExecFlags(CLI::App* app, ExecFlags& f);
int Exec(const ExecFlags& f, const Context& context);
// The variables `exec` gives its command (README "Use it from CI").
std::map<std::string, std::string> ExecEnvironment(EmulatorImpl& e);

struct PayloadLocalApiFlags {
  int port = 8080;
  int control_port = 9350;
  std::string payload_config;
  CommonFlags common;
};
void AddPayloadLocalApiFlags(CLI::App* app, PayloadLocalApiFlags& f);
int ServePayloadLocalApi(const PayloadLocalApiFlags& f, const Context& context);

}  // namespace imsemu::cli
