// Utf8: whether bytes are well-formed UTF-8, which JSON text must be.
// Pure functions.
#pragma once

#include <cstddef>
#include <string_view>

namespace imsemu {

// True if `text` is well-formed UTF-8 (no overlongs, surrogates or code
// points above U+10FFFF).
bool IsValidUtf8(std::string_view text);

// The offset of the first byte of `text` that is not part of well-formed
// UTF-8, or text.size() when all of it is.
size_t FirstInvalidUtf8(std::string_view text);

}  // namespace imsemu
