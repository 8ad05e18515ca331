// The OHIF viewer (DESIGN §7): its prebuilt dist/ (fetched by scripts/setup) served at the root
// of the origin, which is where the prebuilt bundle expects to live, and an app-config.js that
// Arca writes: one DICOMweb data source on this origin, no study list, no upload, no local or
// proxy sources. Routes: GET /viewer (and /viewer/...) answer OHIF's index.html, GET
// /app-config.js the configuration, and GET /{*path} the viewer's files; every other route
// of Arca is more specific and wins. No SPA fallback at the root: unknown paths stay 404.
//
// CSP: OHIF's codec workers need 'unsafe-eval' and its React styles 'unsafe-inline' (styles
// only); its two inline scripts are allowed by their SHA-256, computed from index.html when the
// site is loaded, so a new OHIF version needs no hand-edited hash.
#pragma once

#include <filesystem>
#include <string>

#include "core/result.h"
#include "http/router.h"
#include "http/static_site.h"

namespace arca::http {

// Loads the viewer's files; a missing root gives an empty site (every path 404).
Result<StaticSite> load_ohif_site(const std::filesystem::path& root);

// The CSP for an index.html with these contents: hashes of its inline scripts.
std::string ohif_csp(std::string_view index_html);

// The app-config.js Arca serves to OHIF.
std::string_view ohif_app_config();

// `ohif` must outlive the router.
Result<void> register_ohif_routes(Router& router, const StaticSite& ohif);

}  // namespace arca::http
