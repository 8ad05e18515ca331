#include "app/web_sites.h"

#include "http/ohif_routes.h"
#include "http/web_routes.h"

namespace arca::app {

// ARCA_DEFAULT_WEB_ROOT and ARCA_DEFAULT_OHIF_ROOT are set by src/app/CMakeLists.txt.
Result<WebSites> load_web_sites(const Config* config) {
  std::filesystem::path web_root, ohif_root;
  if (config != nullptr) {
    web_root = config->http.web_root.empty() ? std::filesystem::path(ARCA_DEFAULT_WEB_ROOT)
                                             : config->http.web_root;
    ohif_root = config->http.ohif_root.empty() ? std::filesystem::path(ARCA_DEFAULT_OHIF_ROOT)
                                               : config->http.ohif_root;
  }
  auto app = ARCA_TRY(http::StaticSite::load(http::app_shell_site(web_root)));
  auto ohif = ARCA_TRY(http::load_ohif_site(ohif_root));
  WebSites sites{std::move(app), std::move(ohif), {}};
  if (config != nullptr && sites.app.file_count() == 0)
    sites.missing.push_back("web app not found in " + web_root.string() +
                            " (build it, or set http.web_root)");
  if (config != nullptr && sites.ohif.file_count() == 0)
    sites.missing.push_back("OHIF viewer not found in " + ohif_root.string() +
                            " (run scripts/setup, or set http.ohif_root)");
  return sites;
}

Result<void> register_web_site_routes(http::Router& router, const WebSites& sites) {
  ARCA_TRY(http::register_web_routes(router, sites.app));
  return http::register_ohif_routes(router, sites.ohif);
}

}  // namespace arca::app
