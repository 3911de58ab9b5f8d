// PercentEncode: text made safe for a URL path segment or query value
// (RFC 3986 unreserved characters kept, every other byte as %XX). Pure.
#pragma once

#include <string>

namespace imsemu {

std::string PercentEncode(const std::string& text);

}  // namespace imsemu
