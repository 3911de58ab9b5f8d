#include "emulator/process/command_lookup.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

namespace imsemu::process {
namespace {

// Empty when `file` can be executed, else why not.
std::string WhyNotExecutable(const std::string& file) {
  struct stat st {};
  if (stat(file.c_str(), &st) != 0) return std::strerror(errno);
  if (S_ISDIR(st.st_mode)) return "it is a directory";
  if (access(file.c_str(), X_OK) != 0) return "it is not executable";
  return "";
}

}  // namespace

Status LookUpCommand(const std::string& command, const std::string& path) {
  const std::string named = "cannot start '" + command + "': ";
  if (command.empty()) return InvalidArgument("cannot start an empty command");
  if (command.find('/') != std::string::npos) {
    const std::string why = WhyNotExecutable(command);
    return why.empty() ? OkStatus() : InvalidArgument(named + why);
  }
  std::stringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (WhyNotExecutable((dir.empty() ? "." : dir) + "/" + command).empty()) return OkStatus();
  }
  return InvalidArgument(named + "not found on PATH (" + path + ")");
}

}  // namespace imsemu::process
