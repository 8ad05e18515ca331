#include "core/error.h"

#include <cctype>
#include <string>

namespace arca {
namespace {

struct CodeInfo {
  int http;
  std::uint16_t dimse;
  std::string_view name;
  std::string_view text;
};

constexpr std::string_view strip_k(std::string_view s) {
  return s.substr(1);
}

constexpr CodeInfo kInfo[] = {
#define ARCA_ERROR_INFO(name, http, dimse, text) \
  {http, static_cast<std::uint16_t>(dimse), strip_k(#name), text},
    ARCA_ERROR_CODES(ARCA_ERROR_INFO)
#undef ARCA_ERROR_INFO
};

const CodeInfo& info(ErrorCode code) {
  return kInfo[static_cast<std::size_t>(code)];
}

// "InvalidDicom" -> "invalid_dicom".
std::string snake(std::string_view camel) {
  std::string out;
  for (char c : camel) {
    if (std::isupper(static_cast<unsigned char>(c)) != 0) {
      if (!out.empty())
        out += '_';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out;
}

struct Names {
  std::string values[std::size(kInfo)];
  Names() {
    for (std::size_t i = 0; i < std::size(kInfo); ++i)
      values[i] = snake(kInfo[i].name);
  }
};

const Names& names() {
  static const Names kNames;
  return kNames;
}

}  // namespace

int http_status(ErrorCode code) {
  return info(code).http;
}
std::uint16_t dimse_status(ErrorCode code) {
  return info(code).dimse;
}
std::string_view error_code_name(ErrorCode code) {
  return names().values[static_cast<std::size_t>(code)];
}
std::string_view error_code_text(ErrorCode code) {
  return info(code).text;
}

Error Error::context(std::string_view what) const {
  return Error{code, std::string(what) + ": " + message};
}

std::string Error::to_string() const {
  std::string out(error_code_name(code));
  if (!message.empty())
    out += ": " + message;
  return out;
}

}  // namespace arca
