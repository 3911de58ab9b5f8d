#include "emulator/harness/emulator_claim.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

namespace imsemu::harness {

std::string EmulatorClaim::FileFor(const std::string& url) {
  std::string name = "ims-emulator-claim-";
  for (char c : url) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '-';
    name += plain ? c : '_';
  }
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
  if (ec) dir = "/tmp";
  return (dir / name).string();
}

StatusOr<EmulatorClaim> EmulatorClaim::Take(const std::string& url, bool wait) {
  const std::string file = FileFor(url);
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) {
    return Unavailable("cannot claim the emulator at " + url + " for this test: cannot open '" +
                       file + "': " + std::strerror(errno));
  }
  int locked;
  do {
    locked = ::flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB));
  } while (locked != 0 && errno == EINTR);
  if (locked != 0) {
    const int error = errno;
    ::close(fd);
    if (error == EWOULDBLOCK) {
      return Unavailable("another test holds the emulator at " + url + " (" + file + ")");
    }
    return Unavailable("cannot claim the emulator at " + url + ": flock '" + file +
                       "': " + std::strerror(error));
  }
  return EmulatorClaim(fd);
}

EmulatorClaim::EmulatorClaim(EmulatorClaim&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

EmulatorClaim& EmulatorClaim::operator=(EmulatorClaim&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

EmulatorClaim::~EmulatorClaim() {
  if (fd_ >= 0) ::close(fd_);  // closing the only descriptor ends the flock
}

}  // namespace imsemu::harness
