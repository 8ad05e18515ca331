// A tree of static files (the web app shell, later the OHIF viewer) served from a directory
// indexed once at start-up. Only regular files found under the root then are ever served: a
// request path is a key into that index and is never joined to the root, so no request can
// reach a file outside it (the URL decoder also refuses dot segments). Symbolic links are not
// followed. A missing root gives an empty site that answers 404 everywhere.
//
// Caching: files with content-hashed names (under Vite's assets/, or with a 16-hex-digit token
// in the name as webpack writes them for OHIF) are cached for a year as immutable; everything
// else (index.html) is `no-cache` with an ETag, so a browser revalidates it and picks up a new
// build at once.
//
// Compression: a file "x" with a sibling "x.gz" (precompressed by scripts/setup) is sent as
// that sibling with Content-Encoding: gzip to clients that accept gzip; the ".gz" files are
// not served under their own names.
// Thread-safety: immutable after load(); serve() is safe from many threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "core/result.h"
#include "http/request.h"
#include "http/response.h"

namespace arca::http {

struct StaticSiteOptions {
  std::filesystem::path root;
  std::string immutable_prefix;   // e.g. "assets/"; empty: no directory is immutable as a whole
  bool hex_hashed_names = false;  // "app.bundle.0f6159c501addfe9.js" is immutable
  // Served for an unknown path whose last segment has no '.' (client-side routes of a single
  // page app), e.g. "index.html"; empty: no fallback. Also what "" (the site's root) serves.
  std::string index;
  bool spa_fallback = false;
  std::string content_security_policy;  // set on every response of the site
};

class StaticSite {
 public:
  // Fails only on an I/O error while walking an existing root.
  static Result<StaticSite> load(StaticSiteOptions options);

  std::size_t file_count() const { return files_.size(); }
  const std::filesystem::path& root() const { return options_.root; }
  // path: decoded, relative, '/'-separated ("" is the index). HEAD and GET alike (the server
  // drops the body of a HEAD answer). kNotFound for a path outside the index.
  Result<Response> serve(std::string_view path, const Request& request) const;

 private:
  struct File {
    std::filesystem::path full;
    std::string etag;
    std::filesystem::path gzip;  // empty: no precompressed sibling
  };
  explicit StaticSite(StaticSiteOptions options) : options_(std::move(options)) {}
  void pair_gzip_siblings();
  const std::map<std::string, File, std::less<>>::value_type* find(std::string_view path) const;

  StaticSiteOptions options_;
  std::map<std::string, File, std::less<>> files_;  // key: path relative to the root
};

// True if a '.'-separated part of the file name is 16 or more hexadecimal digits.
bool has_hex_hash(std::string_view file_name);

// The Content-Type for a file name, by extension (application/wasm for .wasm); unknown
// extensions are application/octet-stream.
std::string_view content_type_for(std::string_view file_name);

}  // namespace arca::http
