#include "api/json_io.h"

#include "core/stream.h"

namespace arca::api {

Result<nlohmann::json> read_json_object(http::Request& request) {
  auto type = request.headers().get("Content-Type");
  if (!type || type->substr(0, 16) != "application/json")
    return make_error(ErrorCode::kInvalidArgument, "Content-Type must be application/json");
  Bytes raw = ARCA_TRY(read_all(request.body(), kMaxJsonBody));
  auto parsed = nlohmann::json::parse(raw.begin(), raw.end(), nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object())
    return make_error(ErrorCode::kInvalidArgument, "body must be a JSON object");
  return parsed;
}

Result<std::string> string_field(const nlohmann::json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_string())
    return make_error(ErrorCode::kInvalidArgument, std::string("\"") + name + "\" is required");
  return it->get<std::string>();
}

std::optional<std::string> optional_string(const nlohmann::json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_string())
    return std::nullopt;
  return it->get<std::string>();
}

http::Response json_response(int status, const nlohmann::json& body) {
  http::Response r = http::Response::json(status, body.dump());
  r.headers().set("Cache-Control", "no-store");
  return r;
}

}  // namespace arca::api
