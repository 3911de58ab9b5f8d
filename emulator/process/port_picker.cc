#include "emulator/process/port_picker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>

namespace imsemu::process {
namespace {

// Binds `port` (0: any) on 127.0.0.1 with `type`; returns the bound port or 0.
int BindPort(int type, int port) {
  const int fd = socket(AF_INET, type, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int bound = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    socklen_t len = sizeof addr;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
      bound = ntohs(addr.sin_port);
  }
  close(fd);
  return bound;
}

bool FreeOnBoth(int port) {
  return BindPort(SOCK_DGRAM, port) == port && BindPort(SOCK_STREAM, port) == port;
}

}  // namespace

PortPicker::PortPicker(std::optional<std::pair<int, int>> range) : range_(range) {
  if (range_) cursor_ = range_->first;
}

int PortPicker::Pick() {
  MutexLock lock(mu_);
  if (!range_) {
    for (int attempt = 0; attempt < 16; ++attempt) {
      const int port = BindPort(SOCK_DGRAM, 0);
      if (port != 0 && BindPort(SOCK_STREAM, port) == port) return port;
    }
    return 0;
  }
  const int span = range_->second - range_->first + 1;
  for (int i = 0; i < span; ++i) {
    const int port = cursor_;
    cursor_ = cursor_ >= range_->second ? range_->first : cursor_ + 1;
    if (FreeOnBoth(port)) return port;
  }
  return 0;
}

int PortPicker::FreeTcpPort() { return BindPort(SOCK_STREAM, 0); }

StatusOr<std::pair<int, int>> PortPicker::ParseRange(const std::string& text) {
  int lo = 0, hi = 0;
  char dash = 0;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%d%c%d%c", &lo, &dash, &hi, &extra) != 3 || dash != '-' ||
      lo < 1024 || hi > 65535 || lo > hi) {
    return InvalidArgument("--game-ports must be LO-HI with 1024 <= LO <= HI <= 65535, got '" +
                           text + "'");
  }
  return std::make_pair(lo, hi);
}

}  // namespace imsemu::process
