// The browser-facing file trees `arca serve` hands to the router: the web app shell
// (http.web_root, default <build>/web/dist) and the OHIF viewer (http.ohif_root, default
// .deps/ohif/dist). Either may be missing (not built, not fetched): it is then empty, every
// path under it answers 404, and load_web_sites() says so in `missing`.
#pragma once

#include <string>
#include <vector>

#include "app/config.h"
#include "core/result.h"
#include "http/router.h"
#include "http/static_site.h"

namespace arca::app {

struct WebSites {
  http::StaticSite app;
  http::StaticSite ohif;
  std::vector<std::string> missing;  // human-readable, for a start-up warning
};

// `config` null: empty sites (for `arca routes`, which only lists the routes).
Result<WebSites> load_web_sites(const Config* config);

// `sites` must outlive the router.
Result<void> register_web_site_routes(http::Router& router, const WebSites& sites);

}  // namespace arca::app
