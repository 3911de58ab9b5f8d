#include "emulator/process/game_server_supervisor.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include <spdlog/spdlog.h>

#include "emulator/clock/stopwatch.h"
#include "emulator/process/container_launch.h"
#include "emulator/process/keeper_runner.h"
#include "emulator/util/rfc3339.h"

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

}  // namespace

GameServerSupervisor::GameServerSupervisor(
    core::World& world, const Clock& clock, SupervisorOptions options,
    std::function<std::string(const std::string&)> payload_api_of,
    std::unique_ptr<ProcessRunner> runner)
    : world_(world),
      clock_(clock),
      options_(std::move(options)),
      payload_api_of_(std::move(payload_api_of)),
      runner_(runner ? std::move(runner) : std::make_unique<KeeperRunner>()) {
  if (options_.own_thread) thread_ = std::thread([this] { Loop(); });
}

GameServerSupervisor::~GameServerSupervisor() { StopAll(std::chrono::milliseconds(0)); }

ProcessLaunch GameServerSupervisor::Prepare(const core::Payload& payload,
                                            const core::Allocation& allocation) const {
  const core::PayloadSpec& spec = allocation.spec.payload_spec;
  std::vector<std::string> args;
  for (const std::string& arg : spec.args) args.push_back(Expand(arg, payload, options_.address));
  std::map<std::string, std::string> spec_env;
  for (const auto& [name, value] : spec.Environment()) {
    spec_env[name] = Expand(value, payload, options_.address);
  }
  const std::map<std::string, std::string> inherited = InheritedEnvironment();
  if (!spec.image.empty()) return PrepareContainer(payload, allocation, args, spec_env, inherited);

  ProcessLaunch launch;
  launch.payload_id = payload.id;
  launch.command = Expand(spec.command, payload, options_.address);
  launch.args = std::move(args);
  launch.memory_limit = core::MemoryBytesOf(spec.resources.memory).value_or(0);
  std::map<std::string, std::string> env = inherited;
  for (auto& [name, value] : spec_env) env[name] = std::move(value);  // the spec wins
  env["ORCHESTRATION_PAYLOAD_API"] = payload_api_of_(payload.id);
  for (const auto& [name, value] : env) launch.env.push_back(name + "=" + value);
  return launch;
}

ProcessLaunch GameServerSupervisor::PrepareContainer(
    const core::Payload& payload, const core::Allocation& allocation, std::vector<std::string> args,
    std::map<std::string, std::string> env,
    const std::map<std::string, std::string>& inherited) const {
  static std::atomic<long long> containers{0};
  ContainerRun run;
  run.payload_id = payload.id;
  run.image = allocation.spec.payload_spec.image;
  run.args = std::move(args);
  run.env = std::move(env);
  run.payload_api = payload_api_of_(payload.id);
  run.publish_address = options_.publish_address;
  const core::Resources& resources = allocation.spec.payload_spec.resources;
  run.memory_bytes = core::MemoryBytesOf(resources.memory).value_or(0);
  run.millicpus = core::MilliCpuOf(resources.cpu).value_or(0);
  for (const core::PortSpec& spec : allocation.spec.payload_spec.ports) {
    for (const core::Port& port : payload.ports) {
      if (port.name == spec.name)
        run.ports.push_back({port.port, spec.container_port, spec.protocol});
    }
  }
  run.name = "ims-emulator-" + std::to_string(getpid()) + "-" + std::to_string(++containers) + "-" +
             payload.id;
  auto path = inherited.find("PATH");
  const ContainerRuntime runtime = ChooseContainerRuntime(
      options_.container_runtime, path == inherited.end() ? "" : path->second);
  std::vector<std::string> runtime_env;
  for (const auto& [name, value] : inherited) runtime_env.push_back(name + "=" + value);
  return ContainerLaunch(runtime, run, std::move(runtime_env));
}

void GameServerSupervisor::OnPayloadStarted(const core::Payload& payload,
                                            const core::Allocation& allocation) {
  if (!allocation.spec.payload_spec.RunsGameServer()) return;
  ProcessLaunch launch = Prepare(payload, allocation);
  MutexLock lock(mu_);
  if (stopping_) return;
  launches_.push_back(std::move(launch));
  wake_.Signal();
}

void GameServerSupervisor::OnPayloadRemoved(const std::string& payload_id) {
  MutexLock lock(mu_);
  if (pids_.count(payload_id) == 0) {
    // Not running (yet): drop a launch still waiting for its step.
    std::erase_if(launches_, [&](const ProcessLaunch& l) { return l.payload_id == payload_id; });
    return;
  }
  terminations_.push_back(payload_id);
  wake_.Signal();
}

void GameServerSupervisor::AskToLeave(const std::string& payload_id) {
  MutexLock lock(mu_);
  asked_to_leave_.push_back(payload_id);
  wake_.Signal();
}

std::optional<std::string> GameServerSupervisor::LogPathOf(const std::string& payload_id) const {
  MutexLock lock(mu_);
  auto it = log_paths_.find(payload_id);
  if (it == log_paths_.end()) return std::nullopt;
  return it->second;
}

std::optional<pid_t> GameServerSupervisor::PidOf(const std::string& payload_id) const {
  MutexLock lock(mu_);
  auto it = pids_.find(payload_id);
  if (it == pids_.end()) return std::nullopt;
  return it->second;
}

void GameServerSupervisor::Spawn(const ProcessLaunch& launch) {
  // A restarted payload's old process must not outlive its replacement.
  for (Child& child : children_) {
    if (child.payload_id == launch.payload_id && !child.terminating) {
      runner_->Kill(child.handle);
      child.terminating = true;
      child.kill_at = Time::max();
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(options_.log_dir, ec);
  const std::string log_path = options_.log_dir + "/" + launch.payload_id + ".log";
  const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  {
    MutexLock lock(mu_);
    log_paths_[launch.payload_id] = log_path;
  }
  std::string header = "--- " + FormatRfc3339(clock_.Now()) + " starting: " + launch.command;
  for (const std::string& arg : launch.args) header += " " + arg;
  if (log >= 0) WriteAll(log, header + "\n");

  StatusOr<StartedProcess> started = runner_->Start(launch);
  if (!started.ok()) {
    const std::string reason =
        "cannot start '" + launch.command + "': " + started.status().message();
    if (log >= 0) {
      WriteAll(log, "--- " + reason + "\n");
      close(log);
    }
    spdlog::error("payload {}: {}", launch.payload_id, reason);
    PassOnExit(launch.payload_id, core::ProcessExit::NotStarted(), reason);
    return;
  }
  Child child;
  child.payload_id = launch.payload_id;
  child.handle = started->handle;
  child.pid = started->pid;
  child.log = log;
  child.container_memory_limit = launch.container_memory_limit;
  MutexLock lock(mu_);
  pids_[launch.payload_id] = child.pid;
  children_.push_back(std::move(child));
}

GameServerSupervisor::Child* GameServerSupervisor::Find(int handle) {
  for (Child& child : children_) {
    if (child.handle == handle) return &child;
  }
  return nullptr;
}

void GameServerSupervisor::Absorb(const std::vector<ProcessNews>& news) {
  std::map<std::string, std::vector<std::string>> lines;
  std::vector<std::pair<std::string, core::ProcessExit>> exits;
  for (const ProcessNews& item : news) {
    Child* child = Find(item.handle);
    if (child == nullptr) continue;
    if (child->log >= 0) WriteAll(child->log, item.output);
    child->partial += item.output;
    size_t newline;
    while ((newline = child->partial.find('\n')) != std::string::npos) {
      lines[child->payload_id].push_back(child->partial.substr(0, newline));
      child->partial.erase(0, newline + 1);
    }
    if (!item.exit) continue;
    core::ProcessExit exit = *item.exit;
    if (child->container_memory_limit && !child->terminating &&
        exit == core::ProcessExit::Exited(core::ProcessExit::OutOfMemory().ShellCode())) {
      exit = core::ProcessExit::OutOfMemory();
    }
    if (!child->partial.empty()) lines[child->payload_id].push_back(child->partial);
    if (child->log >= 0) {
      WriteAll(child->log, "--- exited: " + exit.Describe() + "\n");
      close(child->log);
    }
    {
      MutexLock lock(mu_);
      auto pid = pids_.find(child->payload_id);
      if (pid != pids_.end() && pid->second == child->pid) pids_.erase(pid);
    }
    if (!child->terminating) exits.emplace_back(child->payload_id, exit);
    std::erase_if(children_, [&](const Child& c) { return c.handle == item.handle; });
  }
  for (const auto& [id, payload_lines] : lines) world_.RecordOutput(id, payload_lines);
  for (const auto& [id, exit] : exits) PassOnExit(id, exit, "");
}

void GameServerSupervisor::PassOnExit(const std::string& payload_id, const core::ProcessExit& exit,
                                      const std::string& reason) {
  auto apply = [&] { return world_.ExitPayload(payload_id, exit, reason).ok(); };
  if (options_.pass_on_exit) {
    options_.pass_on_exit(payload_id, exit, apply);
  } else {
    apply();
  }
}

void GameServerSupervisor::Step(std::chrono::milliseconds wait) {
  std::vector<ProcessLaunch> launches;
  std::vector<std::string> terminations;
  std::vector<std::string> asked_to_leave;
  {
    MutexLock lock(mu_);
    launches.swap(launches_);
    terminations.swap(terminations_);
    asked_to_leave.swap(asked_to_leave_);
  }
  const Time now = clock_.Now();
  for (const std::string& id : asked_to_leave) {
    for (Child& child : children_) {
      if (child.payload_id == id && !child.terminating) runner_->Terminate(child.handle);
    }
  }
  for (const std::string& id : terminations) {
    for (Child& child : children_) {
      if (child.payload_id != id || child.terminating) continue;
      runner_->Terminate(child.handle);  // the keeper passes it on to the game server
      child.terminating = true;
      child.kill_at = now + options_.grace;
    }
  }
  for (const ProcessLaunch& launch : launches) Spawn(launch);
  for (Child& child : children_) {
    if (child.terminating && child.kill_at != Time::max() && now >= child.kill_at) {
      runner_->Kill(child.handle);
      child.kill_at = Time::max();  // killed: only its exit is left to come
    }
  }
  Absorb(runner_->Wait(children_.empty() ? std::chrono::milliseconds(0) : wait));
}

void GameServerSupervisor::Loop() {
  while (true) {
    {
      MutexLock lock(mu_);
      if (children_.empty() && !stopping_ && launches_.empty() && terminations_.empty() &&
          asked_to_leave_.empty()) {
        wake_.WaitFor(std::chrono::milliseconds(50));
      }
      if (stopping_) break;
    }
    Step(std::chrono::milliseconds(kPollMs));
  }
  std::chrono::milliseconds grace;
  {
    MutexLock lock(mu_);
    grace = stop_grace_;
  }
  EndAll(grace);
}

void GameServerSupervisor::StopAll(std::chrono::milliseconds grace) {
  {
    MutexLock lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    stop_grace_ = grace;
    launches_.clear();
  }
  wake_.SignalAll();
  if (thread_.joinable()) {
    thread_.join();
  } else {
    EndAll(grace);
  }
}

void GameServerSupervisor::EndAll(std::chrono::milliseconds grace) {
  // Runs where the steps ran: the children's parent-death signal is tied to
  // that thread, so they are ended before it returns, without telling the world.
  for (Child& child : children_) runner_->Terminate(child.handle);
  const Stopwatch waited;
  bool killed = false;
  while (!children_.empty()) {
    if (!killed && (waited.Elapsed() >= grace || kill_now_)) {
      for (Child& child : children_) runner_->Kill(child.handle);
      killed = true;
    }
    for (const ProcessNews& item : runner_->Wait(std::chrono::milliseconds(kPollMs))) {
      Child* child = Find(item.handle);
      if (child == nullptr) continue;
      if (child->log >= 0) WriteAll(child->log, item.output);
      if (!item.exit) continue;
      if (child->log >= 0) {
        WriteAll(child->log, "--- stopped with the emulator (" + item.exit->Describe() + ")\n");
        close(child->log);
      }
      std::erase_if(children_, [&](const Child& c) { return c.handle == item.handle; });
    }
  }
  MutexLock lock(mu_);
  pids_.clear();
}

}  // namespace imsemu::process
