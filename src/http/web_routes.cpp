#include "http/web_routes.h"

#include <string>

namespace arca::http {
namespace {

Result<Response> redirect_to_app(Request&) {
  Response r(302);
  r.headers().set("Location", "/app/");
  return r;
}

}  // namespace

StaticSiteOptions app_shell_site(std::filesystem::path root) {
  StaticSiteOptions o;
  o.root = std::move(root);
  o.immutable_prefix = "assets/";
  o.index = "index.html";
  o.spa_fallback = true;
  o.content_security_policy = std::string(kAppShellCsp);
  return o;
}

Result<void> register_web_routes(Router& router, const StaticSite& app) {
  for (const char* path : {"/", "/app"}) {
    ARCA_TRY(router.add({Method::kGet, path, Access::public_route(), AuditAction::kNone,
                         std::nullopt, redirect_to_app}));
  }
  return router.add({Method::kGet, "/app/{*path}", Access::public_route(), AuditAction::kNone,
                     std::nullopt, [&app](Request& request) -> Result<Response> {
                       return app.serve(request.path_param("path").value_or(""), request);
                     }});
}

}  // namespace arca::http
