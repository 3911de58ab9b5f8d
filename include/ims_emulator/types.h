// Small value types that several public headers share (clients, observer),
// so that one does not include another for them.
#pragma once

#include <map>
#include <string>

namespace imsemu {

// Labels, annotations and session statuses: key to value.
using StringMap = std::map<std::string, std::string>;

}  // namespace imsemu
