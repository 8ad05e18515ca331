#include "http/url.h"

#include "core/bytes.h"

namespace arca::http {
namespace {

Result<QueryParams> parse_query(std::string_view q) {
  std::vector<QueryParams::Item> items;
  while (!q.empty()) {
    std::size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
    if (pair.empty())
      continue;
    std::size_t eq = pair.find('=');
    std::string key = ARCA_TRY(percent_decode(pair.substr(0, eq)));
    std::string value;
    if (eq != std::string_view::npos)
      value = ARCA_TRY(percent_decode(pair.substr(eq + 1)));
    items.emplace_back(std::move(key), std::move(value));
  }
  return QueryParams(std::move(items));
}

}  // namespace

std::optional<std::string_view> QueryParams::get(std::string_view key) const {
  for (const auto& [k, v] : items_) {
    if (k == key)
      return std::string_view(v);
  }
  return std::nullopt;
}

std::vector<std::string_view> QueryParams::all(std::string_view key) const {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : items_) {
    if (k == key)
      out.emplace_back(v);
  }
  return out;
}

Result<std::string> percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      int hi = i + 2 < in.size() ? hex_value(in[i + 1]) : -1;
      int lo = i + 2 < in.size() ? hex_value(in[i + 2]) : -1;
      if (hi < 0 || lo < 0)
        return make_error(ErrorCode::kInvalidArgument, "malformed percent-escape in URL");
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (c == '\0')
      return make_error(ErrorCode::kInvalidArgument, "NUL byte in URL");
    out += c;
  }
  return out;
}

Result<Target> parse_target(std::string_view raw) {
  if (raw.empty() || raw.front() != '/')
    return make_error(ErrorCode::kInvalidArgument, "request target must start with '/'");
  Target t;
  std::size_t qmark = raw.find('?');
  std::string_view path = raw.substr(0, qmark);
  if (qmark != std::string_view::npos) {
    std::string_view query = raw.substr(qmark + 1);
    query = query.substr(0, query.find('#'));
    t.query = ARCA_TRY(parse_query(query));
  }
  if (path.size() > 1) {
    std::string_view rest = path.substr(1);
    for (;;) {
      std::size_t slash = rest.find('/');
      std::string segment = ARCA_TRY(percent_decode(rest.substr(0, slash)));
      if (segment == "." || segment == "..")
        return make_error(ErrorCode::kInvalidArgument, "dot segment in URL path");
      t.segments.push_back(std::move(segment));
      if (slash == std::string_view::npos)
        break;
      rest = rest.substr(slash + 1);
    }
  }
  std::string joined(t.segments.empty() ? 1 : 0, '/');
  for (const auto& s : t.segments) {
    joined += '/';
    joined += s;
  }
  t.path = std::move(joined);
  return t;
}

}  // namespace arca::http
