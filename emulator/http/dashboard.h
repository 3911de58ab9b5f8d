// Dashboard: the page that shows the emulated IMS live and drives it, served
// on the main port at `/` (HTML, CSS and JavaScript are in the binary; the
// sources are emulator/dashboard/). The page only calls the public APIs, so
// everything it shows or does is also a curl away.
//
// The page is the emulator's own origin: RequestChecks lets its calls
// through and refuses every other web page's (docs/security.md). Its answers
// carry a Content-Security-Policy that allows nothing but its own files and
// no framing.
#pragma once

#include <httplib.h>

namespace imsemu::http {

void MountDashboard(httplib::Server& server);

}  // namespace imsemu::http
