#include "emulator/process/keeper.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <ctime>

#include "emulator/process/process_runner.h"

namespace imsemu::process {
namespace {

static_assert(kKillNowSignal == SIGUSR1);

// glibc's dirent64 has the layout of the kernel's linux_dirent64, which
// getdents64 writes (readdir may allocate, so it is not used here).
using DirEntry64 = struct dirent64;

// Parses a decimal pid at `s` (stops at a non-digit); 0 if none.
pid_t ParsePid(const char* s) {
  pid_t pid = 0;
  for (; *s >= '0' && *s <= '9'; ++s) pid = pid * 10 + (*s - '0');
  return pid;
}

// Reads /proc/PID/FILE (`pid_text`: the pid in decimal) into `buf`, ended
// with a NUL; false when it cannot (the process is gone).
bool ReadProcFile(const char* pid_text, const char* file, char* buf, size_t size) {
  char path[64] = "/proc/";
  size_t n = 6;
  for (const char* s = pid_text; *s != '\0' && n < 40; ++s) path[n++] = *s;
  path[n++] = '/';
  for (const char* s = file; *s != '\0' && n < sizeof path - 1; ++s) path[n++] = *s;
  path[n] = '\0';
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const ssize_t got = read(fd, buf, size - 1);
  close(fd);
  if (got <= 0) return false;
  buf[got] = '\0';
  return true;
}

// The parent pid of `pid` from /proc/PID/stat, or 0.
pid_t ParentOf(const char* pid_text) {
  char buf[512];
  if (!ReadProcFile(pid_text, "stat", buf, sizeof buf)) return 0;
  // "pid (comm) S ppid ...": comm may hold anything, so find the last ')'.
  const char* close_paren = nullptr;
  for (const char* s = buf; *s != '\0'; ++s) {
    if (*s == ')') close_paren = s;
  }
  if (close_paren == nullptr || close_paren[1] == '\0' || close_paren[2] == '\0') return 0;
  return ParsePid(close_paren + 4);  // skip ") S "
}

// Writes `pid` in decimal at `out` (room for 12 characters); returns the end.
char* FormatPid(pid_t pid, char* out) {
  char digits[12];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + pid % 10);
    pid /= 10;
  } while (pid > 0 && n < 11);
  while (n > 0) *out++ = digits[--n];
  return out;
}

// Bytes of resident memory `pid` uses (/proc/PID/statm's second field, in
// pages), or 0 when it cannot be read (the process is gone).
long long ResidentBytes(pid_t pid, long page_size) {
  char pid_text[16];
  *FormatPid(pid, pid_text) = '\0';
  char buf[128];
  if (!ReadProcFile(pid_text, "statm", buf, sizeof buf)) return 0;
  const char* field = buf;
  while (*field != '\0' && *field != ' ') ++field;  // past the first field (size)
  if (*field == '\0') return 0;
  return static_cast<long long>(ParsePid(field + 1)) * page_size;
}

// Sends `sig` to every process whose parent is this one.
void SignalChildren(int sig) {
  const pid_t self = getpid();
  const int dir = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return;
  alignas(DirEntry64) char buf[4096];
  while (true) {
    const long n = syscall(SYS_getdents64, dir, buf, sizeof buf);
    if (n <= 0) break;
    for (long off = 0; off < n;) {
      const auto* entry = reinterpret_cast<const DirEntry64*>(buf + off);
      off += entry->d_reclen;
      if (entry->d_name[0] < '1' || entry->d_name[0] > '9') continue;
      if (ParentOf(entry->d_name) == self) kill(ParsePid(entry->d_name), sig);
    }
  }
  close(dir);
}

// Kills every descendant: children first; theirs are re-parented here (the
// keeper is a subreaper) as they die, and are found on the next pass.
void KillDescendants() {
  for (int pass = 0; pass < 100000; ++pass) {
    SignalChildren(SIGKILL);
    int status = 0;
    const pid_t reaped = waitpid(-1, &status, 0);
    if (reaped < 0 && errno == ECHILD) return;
  }
}

void WriteInt(int fd, int value) { (void)!write(fd, &value, sizeof value); }

// Closes every descriptor above standard error but `keep`. A keeper is a
// fork of the emulator without exec, and its game server a fork of the
// keeper: without this they would hold whatever the emulator had open at
// that moment (its listening sockets, its state file, a pipe another thread
// was opening), and keep it open as long as they run.
void CloseAllBut(int keep) {
  const unsigned int k = static_cast<unsigned int>(keep);
  if (k > 3) close_range(3, k - 1, 0);
  close_range(k + 1, ~0U, 0);
}

// Runs the launch's cleanup command, its output discarded, and waits for it
// up to kCleanupSteps x 10 ms; then kills it.
constexpr int kCleanupSteps = 3000;

void RunCleanup(const KeeperLaunch& launch) {
  if (launch.cleanup_argv == nullptr) return;
  const pid_t pid = fork();
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    const int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int fd = 0; fd <= 2; ++fd) dup2(null, fd);  // dup2 clears close-on-exec
    execvpe(launch.cleanup_argv[0], launch.cleanup_argv, launch.envp);
    _exit(127);
  }
  if (pid < 0) return;
  for (int step = 0; step < kCleanupSteps; ++step) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) return;
    const timespec pause{0, 10 * 1000 * 1000};
    nanosleep(&pause, nullptr);
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

}  // namespace

[[noreturn]] void RunKeeper(const KeeperLaunch& launch) {
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGUSR1);
  if (getppid() != launch.emulator) _exit(128 + SIGKILL);  // it died before the line above
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  sigset_t waited;
  sigemptyset(&waited);
  sigaddset(&waited, SIGTERM);
  sigaddset(&waited, SIGUSR1);
  sigaddset(&waited, SIGCHLD);
  sigprocmask(SIG_SETMASK, &waited, nullptr);  // the emulator's mask is not ours
  signal(SIGPIPE, SIG_DFL);

  const pid_t game = fork();
  if (game == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    dup2(launch.output_fd, STDOUT_FILENO);
    dup2(launch.output_fd, STDERR_FILENO);
    CloseAllBut(launch.exec_error_fd);  // closed by exec itself (close-on-exec)
    execvpe(launch.argv[0], launch.argv, launch.envp);
    WriteInt(launch.exec_error_fd, errno);
    _exit(127);
  }
  if (game < 0) {
    WriteInt(launch.exec_error_fd, errno);
    _exit(127);
  }
  setpgid(game, game);  // whichever of the two runs first
  close(launch.output_fd);
  close(launch.exec_error_fd);
  WriteInt(launch.game_pid_fd, game);
  CloseAllBut(launch.game_end_fd);

  const timespec memory_check{0, kMemoryCheckMs * 1000L * 1000L};
  while (true) {
    const int sig = launch.memory_limit > 0 ? sigtimedwait(&waited, nullptr, &memory_check)
                                            : sigwaitinfo(&waited, nullptr);
    if (launch.memory_limit > 0 && ResidentBytes(game, launch.page_size) > launch.memory_limit) {
      kill(-game, SIGKILL);
      RunCleanup(launch);
      KillDescendants();
      WriteInt(launch.game_end_fd, kOutOfMemoryEnd);
      _exit(128 + SIGKILL);
    }
    if (sig == SIGTERM) {
      kill(-game, SIGTERM);
    } else if (sig == SIGUSR1) {
      RunCleanup(launch);
      KillDescendants();
      RunCleanup(launch);
      WriteInt(launch.game_end_fd, -SIGKILL);
      _exit(128 + SIGKILL);
    } else if (sig == SIGCHLD) {
      int status = 0;
      pid_t pid;
      while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (pid == game) {
          RunCleanup(launch);
          KillDescendants();
          WriteInt(launch.game_end_fd, EncodeExit(status));
          _exit(ExitCodeOf(status));
        }
      }
    }
  }
}

}  // namespace imsemu::process
