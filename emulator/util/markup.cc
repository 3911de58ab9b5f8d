#include "emulator/util/markup.h"

#include "emulator/util/utf8.h"

namespace imsemu {

std::string EscapeMarkup(std::string_view raw) {
  const std::string text = PrintableText(raw, /*keep_newlines=*/true);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace imsemu
