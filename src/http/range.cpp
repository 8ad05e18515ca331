#include "http/range.h"

#include <charconv>
#include <string>

namespace arca::http {
namespace {

std::optional<std::uint64_t> number(std::string_view s) {
  std::uint64_t n = 0;
  if (s.empty())
    return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || p != s.data() + s.size())
    return std::nullopt;
  return n;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

RangeRequest parse_range(std::string_view value, std::uint64_t size) {
  value = trim(value);
  constexpr std::string_view kUnit = "bytes=";
  if (value.size() < kUnit.size() || !iequals(value.substr(0, kUnit.size()), kUnit))
    return std::nullopt;
  std::string_view spec = trim(value.substr(kUnit.size()));
  if (spec.find(',') != std::string_view::npos)
    return std::nullopt;  // several ranges: the whole body instead of multipart/byteranges
  std::size_t dash = spec.find('-');
  if (dash == std::string_view::npos)
    return std::nullopt;
  std::string_view first_text = trim(spec.substr(0, dash));
  std::string_view last_text = trim(spec.substr(dash + 1));
  if (first_text.empty()) {  // suffix range: the last N bytes
    auto suffix = number(last_text);
    if (!suffix)
      return std::nullopt;
    if (*suffix == 0 || size == 0)
      return Unsatisfiable{};
    std::uint64_t n = std::min(*suffix, size);
    return ByteRange{size - n, n};
  }
  auto first = number(first_text);
  if (!first)
    return std::nullopt;
  std::uint64_t last = size == 0 ? 0 : size - 1;
  if (!last_text.empty()) {
    auto l = number(last_text);
    if (!l || *l < *first)
      return std::nullopt;  // an invalid range-spec is ignored
    last = std::min(*l, last);
  }
  if (*first >= size)
    return Unsatisfiable{};
  return ByteRange{*first, last - *first + 1};
}

Result<Response> ranged_response(const Request& request, const RangedBody& body,
                                 std::string_view content_type) {
  RangeRequest wanted;
  auto range = request.headers().get("Range");
  if (range && !request.headers().contains("If-Range"))
    wanted = parse_range(*range, body.size);
  if (wanted && std::holds_alternative<Unsatisfiable>(*wanted)) {
    Response r = protocol_error(
        416, "range_not_satisfiable",
        "the range lies outside the " + std::to_string(body.size) + " bytes of the resource");
    r.headers().set("Content-Range", "bytes */" + std::to_string(body.size));
    r.headers().set("Accept-Ranges", "bytes");
    return r;
  }
  ByteRange part{0, body.size};
  int status = 200;
  if (wanted) {
    part = std::get<ByteRange>(*wanted);
    status = 206;
  }
  std::unique_ptr<ByteSource> source = ARCA_TRY(body.open(part.first, part.length));
  Response r = Response::stream(status, StreamBody{std::move(source), part.length}, content_type);
  r.headers().set("Accept-Ranges", "bytes");
  if (status == 206) {
    r.headers().set("Content-Range", "bytes " + std::to_string(part.first) + "-" +
                                         std::to_string(part.first + part.length - 1) + "/" +
                                         std::to_string(body.size));
  }
  return r;
}

}  // namespace arca::http
