// FileText: a whole file as a string, for tests ("" if it cannot be read).
#pragma once

#include <fstream>
#include <sstream>
#include <string>

namespace imsemu::test {

inline std::string FileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace imsemu::test
