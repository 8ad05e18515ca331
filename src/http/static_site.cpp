#include "http/static_site.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <memory>
#include <optional>
#include <system_error>
#include <utility>

#include "core/file.h"

namespace arca::http {
namespace {

namespace fs = std::filesystem;

struct TypeByExtension {
  std::string_view extension;
  std::string_view type;
};

constexpr std::array<TypeByExtension, 21> kTypes{{
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".webmanifest", "application/manifest+json"},
    {".wasm", "application/wasm"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".webp", "image/webp"},
    {".ico", "image/x-icon"},
    {".woff", "font/woff"},
    {".woff2", "font/woff2"},
    {".ttf", "font/ttf"},
    {".txt", "text/plain; charset=utf-8"},
    {".xml", "application/xml"},
    {".pdf", "application/pdf"},
}};

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string etag_of(const fs::directory_entry& entry) {
  std::error_code ec;
  auto size = entry.file_size(ec);
  auto mtime = entry.last_write_time(ec).time_since_epoch().count();
  char buf[64];
  std::snprintf(buf, sizeof buf, "\"%llx-%llx\"", static_cast<unsigned long long>(size),
                static_cast<unsigned long long>(mtime));
  return buf;
}

bool has_dot_in_last_segment(std::string_view path) {
  std::size_t slash = path.rfind('/');
  std::string_view last = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return last.find('.') != std::string_view::npos;
}

}  // namespace

bool has_hex_hash(std::string_view name) {
  if (std::size_t slash = name.rfind('/'); slash != std::string_view::npos)
    name = name.substr(slash + 1);
  auto is_hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
  while (!name.empty()) {
    std::size_t dot = name.find('.');
    if (dot == std::string_view::npos)
      return false;  // the last part is the extension
    std::string_view part = name.substr(0, dot);
    if (part.size() >= 16 && std::all_of(part.begin(), part.end(), is_hex))
      return true;
    name = name.substr(dot + 1);
  }
  return false;
}

std::string_view content_type_for(std::string_view file_name) {
  for (const auto& t : kTypes) {
    if (ends_with(file_name, t.extension))
      return t.type;
  }
  return "application/octet-stream";
}

Result<StaticSite> StaticSite::load(StaticSiteOptions options) {
  StaticSite site(std::move(options));
  std::error_code ec;
  const fs::path& root = site.options_.root;
  if (root.empty() || !fs::is_directory(root, ec))
    return site;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
  if (ec)
    return make_error(ErrorCode::kIo, "reading " + root.string() + ": " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec)
      return make_error(ErrorCode::kIo, "reading " + root.string() + ": " + ec.message());
    if (it->is_symlink(ec) || !it->is_regular_file(ec))
      continue;
    std::string key = it->path().lexically_relative(root).generic_string();
    site.files_.emplace(std::move(key), File{it->path(), etag_of(*it), {}});
  }
  site.pair_gzip_siblings();
  return site;
}

// Pairs each "x.gz" with its "x"; a lone ".gz" stays an ordinary file.
void StaticSite::pair_gzip_siblings() {
  for (auto f = files_.begin(); f != files_.end();) {
    auto plain = files_.end();
    if (f->first.ends_with(".gz"))
      plain = files_.find(std::string_view(f->first).substr(0, f->first.size() - 3));
    if (plain == files_.end()) {
      ++f;
      continue;
    }
    plain->second.gzip = f->second.full;
    f = files_.erase(f);
  }
}

const std::map<std::string, StaticSite::File, std::less<>>::value_type* StaticSite::find(
    std::string_view path) const {
  if (path.empty() || path.back() == '/') {
    std::string with_index = std::string(path) + options_.index;
    auto it = files_.find(with_index);
    return it == files_.end() ? nullptr : &*it;
  }
  if (auto it = files_.find(path); it != files_.end())
    return &*it;
  bool hashed = !options_.immutable_prefix.empty() && path.starts_with(options_.immutable_prefix);
  if (!options_.spa_fallback || hashed || has_dot_in_last_segment(path))
    return nullptr;
  auto it = files_.find(options_.index);
  return it == files_.end() ? nullptr : &*it;
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// Accept-Encoding (RFC 9110 §12.5.3): gzip is acceptable if listed, or covered by "*", with a
// non-zero q; an explicit "gzip" entry wins over "*".
bool accepts_gzip(const Request& request) {
  auto header = request.headers().get("Accept-Encoding");
  std::optional<bool> gzip, any;
  std::string_view rest = header.value_or("");
  while (!rest.empty()) {
    std::size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    std::size_t semi = item.find(';');
    std::string_view coding = trim(item.substr(0, semi));
    bool accepted = true;
    if (semi != std::string_view::npos) {
      std::string_view params = item.substr(semi + 1);
      if (std::size_t q = params.find("q="); q != std::string_view::npos) {
        std::string_view v = trim(params.substr(q + 2));
        accepted =
            v.empty() || v.front() != '0' || v.find_first_of("123456789") != std::string_view::npos;
      }
    }
    if (coding == "gzip")
      gzip = accepted;
    else if (coding == "*")
      any = accepted;
  }
  return gzip.value_or(any.value_or(false));
}

}  // namespace

Result<Response> StaticSite::serve(std::string_view path, const Request& request) const {
  const auto* entry = find(path);
  if (entry == nullptr)
    return make_error(ErrorCode::kNotFound, "no such file");
  const auto& [key, file] = *entry;
  bool immutable =
      (!options_.immutable_prefix.empty() && key.starts_with(options_.immutable_prefix)) ||
      (options_.hex_hashed_names && has_hex_hash(key));
  Response r(200);
  if (!options_.content_security_policy.empty())
    r.headers().set("Content-Security-Policy", options_.content_security_policy);
  r.headers().set("Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
  bool gzip = !file.gzip.empty() && accepts_gzip(request);
  std::string etag = gzip ? file.etag.substr(0, file.etag.size() - 1) + "-gz\"" : file.etag;
  if (!file.gzip.empty())
    r.headers().set("Vary", "Accept-Encoding");
  r.headers().set("ETag", etag);
  if (auto inm = request.headers().get("If-None-Match"); inm && *inm == etag) {
    r.set_status(304);
    return r;
  }
  auto source = ARCA_TRY(FileSource::open(gzip ? file.gzip : file.full));
  std::uint64_t size = ARCA_TRY(source.size());
  r.headers().set("Content-Type", content_type_for(key));
  if (gzip)
    r.headers().set("Content-Encoding", "gzip");
  r.set_body(StreamBody{std::make_unique<FileSource>(std::move(source)), size});
  return r;
}

}  // namespace arca::http
