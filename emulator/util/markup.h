// Text put into XML or HTML (JUnit reports, the rehearsal's page): the five
// special characters as entities, and the control characters XML 1.0 does
// not allow (all but tab, newline and return) as '?'. Pure function.
#pragma once

#include <string>
#include <string_view>

namespace imsemu {

std::string EscapeMarkup(std::string_view text);

}  // namespace imsemu
