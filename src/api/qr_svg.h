// An SVG QR code (libqrencode) of short text, for the TOTP enrolment URI.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace arca::api {

Result<std::string> qr_svg(std::string_view text);

}  // namespace arca::api
