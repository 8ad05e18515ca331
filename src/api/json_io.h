// JSON in and out of the API: a bounded, typed read of a request body and a JSON response.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/result.h"
#include "http/request.h"
#include "http/response.h"

namespace arca::api {

inline constexpr std::size_t kMaxJsonBody = 64 * 1024;

// The body as a JSON object. kInvalidArgument unless Content-Type is application/json (a form
// post from another site cannot send it without a CORS preflight) and the body is an object.
Result<nlohmann::json> read_json_object(http::Request& request);

// Fields of a parsed object: kInvalidArgument naming the field when missing or mistyped.
Result<std::string> string_field(const nlohmann::json& body, const char* name);
std::optional<std::string> optional_string(const nlohmann::json& body, const char* name);

http::Response json_response(int status, const nlohmann::json& body);

}  // namespace arca::api
