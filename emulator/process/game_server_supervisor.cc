#include "emulator/process/game_server_supervisor.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "emulator/clock/stopwatch.h"
#include "emulator/process/keeper.h"
#include "emulator/util/rfc3339.h"

extern char** environ;

namespace imsemu::process {
namespace {

constexpr int kPollMs = 10;

// Replaces {payload_id}, {address} and {port:NAME} in `text`.
std::string Expand(const std::string& text, const core::Payload& payload,
                   const std::string& address) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const size_t open = text.find('{', i);
    const size_t close = open == std::string::npos ? open : text.find('}', open);
    if (close == std::string::npos) {
      out += text.substr(i);
      break;
    }
    out += text.substr(i, open - i);
    const std::string name = text.substr(open + 1, close - open - 1);
    std::string value = text.substr(open, close - open + 1);  // unknown: left as is
    if (name == "payload_id") value = payload.id;
    if (name == "address") value = address;
    if (name.rfind("port:", 0) == 0) {
      for (const core::Port& port : payload.ports) {
        if (port.name == name.substr(5)) value = std::to_string(port.port);
      }
    }
    out += value;
    i = close + 1;
  }
  return out;
}

void WriteAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

int ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

GameServerSupervisor::GameServerSupervisor(
    core::World& world, const Clock& clock, SupervisorOptions options,
    std::function<std::string(const std::string&)> payload_api_of)
    : world_(world),
      clock_(clock),
      options_(std::move(options)),
      payload_api_of_(std::move(payload_api_of)),
      self_(getpid()),
      thread_([this] { Loop(); }) {}

GameServerSupervisor::~GameServerSupervisor() { StopAll(std::chrono::milliseconds(0)); }

GameServerSupervisor::Launch GameServerSupervisor::Prepare(
    const core::Payload& payload, const core::Allocation& allocation) const {
  const core::PayloadSpec& spec = allocation.spec.payload_spec;
  Launch launch;
  launch.payload_id = payload.id;
  launch.command = Expand(spec.command, payload, options_.address);
  for (const std::string& arg : spec.args) {
    launch.args.push_back(Expand(arg, payload, options_.address));
  }
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const size_t eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [name, value] : spec.env) env[name] = Expand(value, payload, options_.address);
  env["ORCHESTRATION_PAYLOAD_API"] = payload_api_of_(payload.id);
  for (const auto& [name, value] : env) launch.env.push_back(name + "=" + value);
  return launch;
}

void GameServerSupervisor::OnPayloadStarted(const core::Payload& payload,
                                            const core::Allocation& allocation) {
  if (allocation.spec.payload_spec.command.empty()) return;
  Launch launch = Prepare(payload, allocation);
  std::lock_guard lock(mu_);
  if (stopping_) return;
  launches_.push_back(std::move(launch));
  wake_.notify_one();
}

void GameServerSupervisor::OnPayloadRemoved(const std::string& payload_id) {
  std::lock_guard lock(mu_);
  if (pids_.count(payload_id) == 0) {
    // Not running (yet): drop a launch still waiting for the thread.
    std::erase_if(launches_, [&](const Launch& l) { return l.payload_id == payload_id; });
    return;
  }
  terminations_.push_back(payload_id);
  wake_.notify_one();
}

std::optional<std::string> GameServerSupervisor::LogPathOf(const std::string& payload_id) const {
  std::lock_guard lock(mu_);
  auto it = log_paths_.find(payload_id);
  if (it == log_paths_.end()) return std::nullopt;
  return it->second;
}

std::optional<pid_t> GameServerSupervisor::PidOf(const std::string& payload_id) const {
  std::lock_guard lock(mu_);
  auto it = pids_.find(payload_id);
  if (it == pids_.end()) return std::nullopt;
  return it->second;
}

void GameServerSupervisor::Spawn(const Launch& launch) {
  // A restarted payload's old process must not outlive its replacement.
  for (Child& child : children_) {
    if (child.payload_id == launch.payload_id && !child.terminating) {
      kill(child.pid, kKillNowSignal);
      child.terminating = true;
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(options_.log_dir, ec);
  const std::string log_path = options_.log_dir + "/" + launch.payload_id + ".log";
  const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  {
    std::lock_guard lock(mu_);
    log_paths_[launch.payload_id] = log_path;
  }
  std::string header = "--- " + FormatRfc3339(clock_.Now()) + " starting: " + launch.command;
  for (const std::string& arg : launch.args) header += " " + arg;
  if (log >= 0) WriteAll(log, header + "\n");

  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(launch.command.c_str()));
  for (const std::string& a : launch.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& e : launch.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  int out[2] = {-1, -1};
  int failed[2] = {-1, -1};
  int game_pid[2] = {-1, -1};
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(failed, O_CLOEXEC) != 0 ||
      pipe2(game_pid, O_CLOEXEC) != 0) {
    const std::string reason =
        std::string("cannot start '") + launch.command + "': pipe: " + std::strerror(errno);
    for (int fd : {out[0], out[1], failed[0], failed[1], game_pid[0], game_pid[1], log}) {
      if (fd >= 0) close(fd);
    }
    (void)world_.ExitPayload(launch.payload_id, 127, reason);
    return;
  }
  KeeperLaunch keeper;
  keeper.argv = argv.data();
  keeper.envp = envp.data();
  keeper.output_fd = out[1];
  keeper.exec_error_fd = failed[1];
  keeper.game_pid_fd = game_pid[1];
  keeper.emulator = self_;
  const pid_t pid = fork();
  if (pid == 0) RunKeeper(keeper);
  close(out[1]);
  close(failed[1]);
  close(game_pid[1]);
  int error = 0;
  ssize_t n = -1;
  if (pid > 0) {
    do {
      n = read(failed[0], &error, sizeof error);
    } while (n < 0 && errno == EINTR);
  } else {
    error = errno;
    n = sizeof error;
  }
  close(failed[0]);
  pid_t game = -1;
  if (n != static_cast<ssize_t>(sizeof error) && pid > 0) {
    ssize_t got;
    do {
      got = read(game_pid[0], &game, sizeof game);
    } while (got < 0 && errno == EINTR);
    if (got != static_cast<ssize_t>(sizeof game)) game = -1;
  }
  close(game_pid[0]);
  if (n == static_cast<ssize_t>(sizeof error)) {
    if (pid > 0) waitpid(pid, nullptr, 0);
    close(out[0]);
    const std::string reason = "cannot start '" + launch.command + "': " + std::strerror(error);
    if (log >= 0) {
      WriteAll(log, "--- " + reason + "\n");
      close(log);
    }
    spdlog::error("payload {}: {}", launch.payload_id, reason);
    (void)world_.ExitPayload(launch.payload_id, 127, reason);
    return;
  }
  fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
  Child child;
  child.payload_id = launch.payload_id;
  child.pid = pid;
  child.game_pid = game > 0 ? game : pid;
  child.output = out[0];
  child.log = log;
  std::lock_guard lock(mu_);
  pids_[launch.payload_id] = child.game_pid;
  children_.push_back(std::move(child));
}

void GameServerSupervisor::ReadOutput(Child& child,
                                      std::vector<std::pair<std::string, std::string>>& lines) {
  char buf[4096];
  while (true) {
    const ssize_t n = read(child.output, buf, sizeof buf);
    if (n <= 0) break;
    const std::string chunk(buf, static_cast<size_t>(n));
    if (child.log >= 0) WriteAll(child.log, chunk);
    child.partial += chunk;
    size_t newline;
    while ((newline = child.partial.find('\n')) != std::string::npos) {
      lines.emplace_back(child.payload_id, child.partial.substr(0, newline));
      child.partial.erase(0, newline + 1);
    }
  }
}

void GameServerSupervisor::Terminate(Child& child, Time now) {
  if (child.terminating) return;
  kill(child.pid, SIGTERM);  // the keeper passes it on to the game server
  child.terminating = true;
  child.kill_at = now + options_.grace;
}

void GameServerSupervisor::Reap() {
  std::vector<std::pair<std::string, std::string>> lines;
  std::vector<std::pair<std::string, int>> exits;
  const Time now = clock_.Now();
  for (auto it = children_.begin(); it != children_.end();) {
    ReadOutput(*it, lines);
    if (it->terminating && now >= it->kill_at) kill(it->pid, kKillNowSignal);
    int status = 0;
    if (waitpid(it->pid, &status, WNOHANG) != it->pid) {
      ++it;
      continue;
    }
    ReadOutput(*it, lines);
    if (!it->partial.empty()) lines.emplace_back(it->payload_id, it->partial);
    const int code = ExitCode(status);
    if (it->log >= 0) {
      WriteAll(it->log, "--- exited with code " + std::to_string(code) + "\n");
      close(it->log);
    }
    close(it->output);
    {
      std::lock_guard lock(mu_);
      auto pid = pids_.find(it->payload_id);
      if (pid != pids_.end() && pid->second == it->game_pid) pids_.erase(pid);
    }
    if (!it->terminating) exits.emplace_back(it->payload_id, code);
    it = children_.erase(it);
  }
  std::map<std::string, std::vector<std::string>> by_payload;
  for (auto& [id, line] : lines) by_payload[id].push_back(std::move(line));
  for (const auto& [id, payload_lines] : by_payload) world_.RecordOutput(id, payload_lines);
  for (const auto& [id, code] : exits) (void)world_.ExitPayload(id, code);
}

void GameServerSupervisor::Loop() {
  while (true) {
    std::vector<Launch> launches;
    std::vector<std::string> terminations;
    bool stopping = false;
    {
      std::unique_lock lock(mu_);
      if (children_.empty()) {
        wake_.wait_for(lock, std::chrono::milliseconds(50), [this] {
          return stopping_ || !launches_.empty() || !terminations_.empty();
        });
      }
      launches.swap(launches_);
      terminations.swap(terminations_);
      stopping = stopping_;
    }
    if (stopping) {
      EndAll(stop_grace_);
      return;
    }
    const Time now = clock_.Now();
    for (const std::string& id : terminations) {
      for (Child& child : children_) {
        if (child.payload_id == id) Terminate(child, now);
      }
    }
    for (const Launch& launch : launches) Spawn(launch);
    if (!children_.empty()) {
      std::vector<pollfd> fds;
      for (const Child& child : children_) fds.push_back({child.output, POLLIN, 0});
      poll(fds.data(), fds.size(), kPollMs);
    }
    Reap();
  }
}

void GameServerSupervisor::StopAll(std::chrono::milliseconds grace) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    stop_grace_ = grace;
    launches_.clear();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void GameServerSupervisor::EndAll(std::chrono::milliseconds grace) {
  // Runs on the supervisor thread: its children's parent-death signal is
  // tied to it, so they are ended before it returns, without telling the world.
  for (Child& child : children_) kill(child.pid, SIGTERM);
  const Stopwatch waited;
  for (Child& child : children_) {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> ignored;
    while (waitpid(child.pid, &status, WNOHANG) == 0) {
      if (waited.Elapsed() >= grace || kill_now_) {
        kill(child.pid, kKillNowSignal);
        waitpid(child.pid, &status, 0);
        break;
      }
      pollfd fd{child.output, POLLIN, 0};
      poll(&fd, 1, kPollMs);  // output or exit, a few ms at a time
      ReadOutput(child, ignored);
    }
    ReadOutput(child, ignored);
    if (child.log >= 0) {
      WriteAll(child.log,
               "--- stopped with the emulator (code " + std::to_string(ExitCode(status)) + ")\n");
      close(child.log);
    }
    close(child.output);
  }
  children_.clear();
  std::lock_guard lock(mu_);
  pids_.clear();
}

}  // namespace imsemu::process
