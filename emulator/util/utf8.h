// Utf8: whether bytes are well-formed UTF-8, which JSON text must be.
// Pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace imsemu {

// True if `text` is well-formed UTF-8 (no overlongs, surrogates or code
// points above U+10FFFF).
bool IsValidUtf8(std::string_view text);

// The offset of the first byte of `text` that is not part of well-formed
// UTF-8, or text.size() when all of it is.
size_t FirstInvalidUtf8(std::string_view text);

// `text` as text a person, grep and an XML file take: well-formed UTF-8 kept
// as it is; control bytes and DEL escaped (\n, \t, \r, else \xNN), and so is
// every byte that is not well-formed UTF-8 (a lone surrogate, a cut
// sequence). With `keep_newlines`, newlines (and tabs) stay as they are, for
// reports of several lines. Evidence from a hostile game server or config
// goes through this before any report, verdict or JUnit file.
std::string PrintableText(std::string_view text, bool keep_newlines = false);

}  // namespace imsemu
