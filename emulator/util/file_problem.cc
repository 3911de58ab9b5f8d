#include "emulator/util/file_problem.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace imsemu {

std::string FileProblem(const std::string& path, FileUse use) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path file(path);
  const fs::file_status status = fs::status(file, ec);
  if (fs::is_directory(status)) return "it is a folder, not a file";
  if (fs::exists(status)) {
    if (access(path.c_str(), use == FileUse::kRead ? R_OK : (R_OK | W_OK)) != 0) {
      return std::strerror(errno);
    }
    return "";
  }
  if (use == FileUse::kRead) return "no such file";
  fs::path folder = fs::absolute(file, ec).parent_path();
  if (!fs::is_directory(folder, ec)) return "the folder '" + folder.string() + "' does not exist";
  if (access(folder.c_str(), W_OK) != 0) {
    return std::string("cannot create it in '") + folder.string() + "': " + std::strerror(errno);
  }
  return "";
}

}  // namespace imsemu
