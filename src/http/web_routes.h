// The browser-facing static routes (DESIGN §7): "/" and "/app" redirect to "/app/", and
// "/app/{*path}" serves the web app shell with a fallback to its index.html for client-side
// routes. They are the only public routes besides sign-in and health: static files carry no
// PHI and the shell itself signs the user in.
#pragma once

#include "core/result.h"
#include "http/router.h"
#include "http/static_site.h"

namespace arca::http {

// The CSP of the app shell: scripts and styles from our origin only; WebAssembly allowed
// without eval (DESIGN §7); the QR code arrives as inline SVG markup, not as an image URL.
inline constexpr std::string_view kAppShellCsp =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

// The options of the shell's StaticSite under `root` (Vite's output directory).
StaticSiteOptions app_shell_site(std::filesystem::path root);

// `app` must outlive the router.
Result<void> register_web_routes(Router& router, const StaticSite& app);

}  // namespace arca::http
