// What the server does to every response after the handler (STYLE rule 8: security is
// structure, not advice), kept free of any network library so it is testable on its own:
//
//  - security headers on every answer, errors included: Strict-Transport-Security,
//    X-Content-Type-Options, Referrer-Policy no-referrer, X-Frame-Options DENY, Cache-Control
//    no-store unless the handler chose one, and the Content-Security-Policy of the area the path
//    belongs to (DESIGN §7) unless the handler set its own:
//      kApi  /dicom-web, /wado, /api, /healthz, /readyz, /metrics: nothing may load or run
//            (default-src 'none');
//      kApp  /app/ and /s/ (the web app shell and the share viewer): same-origin code plus
//            'wasm-unsafe-eval' for the codecs, no eval;
//      kOhif everything else (OHIF's prebuilt bundle lives at the root): as kApp plus
//            'unsafe-eval', which its codec workers need.
//    Every policy forbids framing (frame-ancestors 'none'), plugins and base-URI changes.
//  - gzip of in-memory JSON and XML bodies (DICOM JSON metadata compresses ~10:1) when the
//    client's Accept-Encoding admits it, with Vary: Accept-Encoding on every such response.
//    Streamed bodies are left alone.
//  - the CORS headers of http/cors.h, when cross-origin access is configured.
// Thread-safety: free functions on caller-owned values.
#pragma once

#include <optional>
#include <string_view>

#include "http/cors.h"
#include "http/response.h"

namespace arca::http {

enum class Area { kApi, kApp, kOhif };

Area area_of(std::string_view path);
std::string_view content_security_policy(Area area);

// Whether an Accept-Encoding value admits gzip (gzip, x-gzip or *, with a q above zero).
bool accepts_gzip(std::string_view accept_encoding);

struct ResponseFacts {
  std::string_view path;  // decoded request path; empty when the request could not be parsed
  std::optional<std::string_view> accept_encoding;
  std::optional<std::string_view> origin;  // the request's Origin
  const CorsPolicy* cors = nullptr;        // null: CORS off
};

// Security headers as above, for a response to `path`.
void apply_security_headers(Response& response, std::string_view path);
// Compresses an in-memory JSON/XML body when the client accepts gzip and it is worth it.
void compress_if_accepted(Response& response, std::optional<std::string_view> accept_encoding);
// All of it, CORS headers (http/cors.h) included, in the order the server applies them.
void finish_response(Response& response, const ResponseFacts& facts);

}  // namespace arca::http
