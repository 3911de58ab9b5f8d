// Why a file cannot be read or written, in words a user acts on: for error
// messages that must name the file and the cause ("--state", "--record",
// "--fixture", snapshot files). Reads the file system; no side effects.
#pragma once

#include <string>

namespace imsemu {

enum class FileUse { kRead, kWrite };

// The cause, e.g. "the folder '/data' does not exist", "it is a folder",
// "permission denied", "the file system is read-only"; "" when no cause is
// found (the file looks usable).
std::string FileProblem(const std::string& path, FileUse use);

}  // namespace imsemu
