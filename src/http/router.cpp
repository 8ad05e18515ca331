#include "http/router.h"

#include <algorithm>

namespace arca::http {
namespace {

bool valid_param_name(std::string_view n) {
  return !n.empty() && std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool same_shape(const auto& a, const auto& b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].is_param != b[i].is_param || a[i].is_rest != b[i].is_rest ||
        (!a[i].is_param && a[i].text != b[i].text))
      return false;
  }
  return true;
}

bool has_rest(const auto& pattern) {
  return !pattern.empty() && pattern.back().is_rest;
}

// True if pattern a is more specific than b: a fixed-length pattern beats a rest pattern, a
// longer rest pattern beats a shorter one; otherwise, at the first position where one has a
// literal and the other a parameter, the literal wins.
bool more_specific(const auto& a, const auto& b) {
  if (has_rest(a) != has_rest(b))
    return !has_rest(a);
  if (has_rest(a) && a.size() != b.size())
    return a.size() > b.size();
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i].is_param != b[i].is_param)
      return !a[i].is_param;
  }
  return false;
}

}  // namespace

Result<void> Router::add(Route route) {
  auto invalid = [&](std::string_view why) {
    return make_error(ErrorCode::kInvalidArgument, "route " + route.path + ": " + std::string(why));
  };
  if (!route.handler)
    return invalid("no handler");
  if (!route.access.is_public() && route.audit == AuditAction::kNone)
    return invalid("a non-public route must name an audit action");
  if (route.path.empty() || route.path.front() != '/')
    return invalid("template must start with '/'");
  std::vector<Segment> pattern;
  if (route.path != "/") {
    std::string_view rest = std::string_view(route.path).substr(1);
    for (;;) {
      std::size_t slash = rest.find('/');
      std::string_view s = rest.substr(0, slash);
      if (s.size() >= 2 && s.front() == '{' && s.back() == '}') {
        std::string_view name = s.substr(1, s.size() - 2);
        bool rest_param = !name.empty() && name.front() == '*';
        if (rest_param) {
          if (slash != std::string_view::npos)
            return invalid("a rest parameter must be the last segment");
          name.remove_prefix(1);
        }
        if (!valid_param_name(name))
          return invalid("bad parameter name");
        for (const auto& seg : pattern) {
          if (seg.is_param && seg.text == name)
            return invalid("repeated parameter name");
        }
        pattern.push_back({std::string(name), true, rest_param});
      } else if (s.find_first_of("{}%?#") != std::string_view::npos || s.empty()) {
        return invalid("bad literal segment");
      } else {
        pattern.push_back({std::string(s), false});
      }
      if (slash == std::string_view::npos)
        break;
      rest = rest.substr(slash + 1);
    }
  }
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    if (routes_[i].method == route.method && same_shape(patterns_[i], pattern))
      return invalid("duplicates or is ambiguous with " + routes_[i].path);
  }
  routes_.push_back(std::move(route));
  patterns_.push_back(std::move(pattern));
  return ok();
}

RouteMatch Router::match(Method method, const std::vector<std::string>& segments) const {
  RouteMatch best;
  const std::vector<Segment>* best_pattern = nullptr;
  Method wanted = method == Method::kHead ? Method::kGet : method;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const auto& pattern = patterns_[i];
    bool rest = has_rest(pattern);
    if (rest ? segments.size() < pattern.size() : pattern.size() != segments.size())
      continue;
    bool fits = true;
    for (std::size_t k = 0; k < pattern.size() && fits && !pattern[k].is_rest; ++k)
      fits = pattern[k].is_param ? !segments[k].empty() : pattern[k].text == segments[k];
    if (!fits)
      continue;
    const Route& r = routes_[i];
    // A rest route is a fallback: another method on a path only it matches stays 404.
    if (!rest &&
        std::find(best.allowed.begin(), best.allowed.end(), r.method) == best.allowed.end())
      best.allowed.push_back(r.method);
    bool method_ok = r.method == method || (method == Method::kHead && r.method == wanted);
    if (!method_ok || (best_pattern != nullptr && !more_specific(pattern, *best_pattern)))
      continue;
    best.route = &r;
    best_pattern = &pattern;
  }
  if (best.route == nullptr) {
    std::sort(best.allowed.begin(), best.allowed.end());
    return best;
  }
  for (std::size_t k = 0; k < best_pattern->size(); ++k) {
    const Segment& seg = (*best_pattern)[k];
    if (seg.is_rest) {
      std::string joined = segments[k];
      for (std::size_t j = k + 1; j < segments.size(); ++j)
        joined += "/" + segments[j];
      best.params.emplace_back(seg.text, std::move(joined));
    } else if (seg.is_param) {
      best.params.emplace_back(seg.text, segments[k]);
    }
  }
  best.allowed.clear();
  return best;
}

}  // namespace arca::http
