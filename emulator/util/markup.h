// Text put into XML or HTML (JUnit reports, the rehearsal's page): the five
// special characters as entities, and what XML 1.0 does not allow (control
// characters but tab and newline, bytes that are not UTF-8) escaped as
// PrintableText escapes them (\xNN). Pure function.
#pragma once

#include <string>
#include <string_view>

namespace imsemu {

std::string EscapeMarkup(std::string_view text);

}  // namespace imsemu
