#include "emulator/http/dashboard.h"

namespace imsemu::http {
namespace {

constexpr const char* kIndexHtml =
#include "dashboard_index.html.inc"
    ;
constexpr const char* kAppJs =
#include "dashboard_app.js.inc"
    ;
constexpr const char* kStyleCss =
#include "dashboard_style.css.inc"
    ;

// Only the page's own files, no inline script, no framing (clickjacking).
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

httplib::Server::Handler Asset(const char* body, const char* content_type) {
  return [body, content_type](const httplib::Request&, httplib::Response& res) {
    res.set_header("Content-Security-Policy", kContentSecurityPolicy);
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("Cache-Control", "no-cache");
    res.set_content(body, content_type);
  };
}

}  // namespace

void MountDashboard(httplib::Server& server) {
  server.Get("/", Asset(kIndexHtml, "text/html; charset=utf-8"));
  server.Get("/dashboard/app.js", Asset(kAppJs, "text/javascript; charset=utf-8"));
  server.Get("/dashboard/style.css", Asset(kStyleCss, "text/css; charset=utf-8"));
}

}  // namespace imsemu::http
