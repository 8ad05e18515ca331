#include "http/response_policy.h"

#include <zlib.h>

#include <algorithm>

namespace arca::http {
namespace {

constexpr std::size_t kMinCompressedBody = 1024;

bool starts_with_segment(std::string_view path, std::string_view prefix) {
  return path == prefix || (path.size() > prefix.size() &&
                            path.substr(0, prefix.size()) == prefix && path[prefix.size()] == '/');
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool compressible(std::string_view content_type) {
  std::string_view type = trim(content_type.substr(0, content_type.find(';')));
  auto ends_with = [type](std::string_view suffix) {
    return type.size() >= suffix.size() &&
           iequals(type.substr(type.size() - suffix.size()), suffix);
  };
  return ends_with("/json") || ends_with("+json") || ends_with("/xml") || ends_with("+xml");
}

std::optional<Bytes> gzip(ByteView in) {
  z_stream z{};
  // 15 + 16: a gzip wrapper rather than zlib's; level 6 is zlib's own default trade-off.
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return std::nullopt;
  Bytes out(deflateBound(&z, static_cast<uLong>(in.size())));
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END)
    return std::nullopt;
  return out;
}

}  // namespace

Area area_of(std::string_view path) {
  for (std::string_view api : {"/dicom-web", "/wado", "/api", "/healthz", "/readyz", "/metrics"}) {
    if (starts_with_segment(path, api))
      return Area::kApi;
  }
  if (path.empty())
    return Area::kApi;
  if (starts_with_segment(path, "/app") || starts_with_segment(path, "/s"))
    return Area::kApp;
  return Area::kOhif;
}

std::string_view content_security_policy(Area area) {
  switch (area) {
    case Area::kApp:
      return "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
             "worker-src 'self' blob:; img-src 'self' data: blob:; style-src 'self'; "
             "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
             "frame-ancestors 'none'";
    case Area::kOhif:
      return "default-src 'self'; script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'; "
             "worker-src 'self' blob:; img-src 'self' data: blob:; "
             "style-src 'self' 'unsafe-inline'; font-src 'self' data:; connect-src 'self'; "
             "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
    case Area::kApi:
      break;
  }
  return "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
}

bool accepts_gzip(std::string_view accept_encoding) {
  std::size_t start = 0;
  while (start <= accept_encoding.size()) {
    std::size_t end = std::min(accept_encoding.find(',', start), accept_encoding.size());
    std::string_view item = accept_encoding.substr(start, end - start);
    std::size_t semi = item.find(';');
    std::string_view coding = trim(item.substr(0, semi));
    if (iequals(coding, "gzip") || iequals(coding, "x-gzip") || coding == "*") {
      if (semi == std::string_view::npos)
        return true;
      std::string_view param = trim(item.substr(semi + 1));
      if (param.size() < 2 || (param[0] != 'q' && param[0] != 'Q') || param[1] != '=')
        return true;
      std::string_view q = trim(param.substr(2));
      // q=0, q=0.0, q=0.000 refuse; anything else admits.
      return !(q.starts_with("0") && q.find_first_not_of("0.") == std::string_view::npos);
    }
    start = end + 1;
  }
  return false;
}

void apply_security_headers(Response& response, std::string_view path) {
  Headers& h = response.headers();
  h.set("Strict-Transport-Security", "max-age=31536000");
  h.set("X-Content-Type-Options", "nosniff");
  h.set("Referrer-Policy", "no-referrer");
  h.set("X-Frame-Options", "DENY");
  h.set_default("Content-Security-Policy", content_security_policy(area_of(path)));
  h.set_default("Cache-Control", "no-store");
}

void compress_if_accepted(Response& response, std::optional<std::string_view> accept_encoding) {
  Headers& h = response.headers();
  auto type = h.get("Content-Type");
  if (response.is_stream() || !type || !compressible(*type) || h.contains("Content-Encoding"))
    return;
  h.set("Vary", "Accept-Encoding");
  if (!accept_encoding || !accepts_gzip(*accept_encoding) ||
      response.bytes().size() < kMinCompressedBody)
    return;
  std::optional<Bytes> packed = gzip(response.bytes());
  if (!packed || packed->size() >= response.bytes().size())
    return;
  response.set_body(std::move(*packed));
  h.set("Content-Encoding", "gzip");
}

void finish_response(Response& response, const ResponseFacts& facts) {
  apply_security_headers(response, facts.path);
  compress_if_accepted(response, facts.accept_encoding);
  if (facts.cors != nullptr)
    apply_cors(response, *facts.cors, facts.origin);
}

}  // namespace arca::http
