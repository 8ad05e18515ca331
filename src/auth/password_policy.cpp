#include "auth/password_policy.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <unordered_set>

namespace arca::auth {
namespace {

// Generated at build time from common_passwords.txt (see CMakeLists.txt): one raw string.
constexpr std::string_view kCommonPasswords =
#include "auth/common_passwords.inc"
    ;  // NOLINT

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

class CommonList {
 public:
  CommonList() {
    std::string_view all = kCommonPasswords;
    while (!all.empty()) {
      auto nl = all.find('\n');
      std::string_view line = all.substr(0, nl);
      if (!line.empty())
        set_.insert(lower(line));
      all = nl == std::string_view::npos ? std::string_view() : all.substr(nl + 1);
    }
  }
  bool contains(std::string_view pw) const { return set_.count(lower(pw)) != 0; }

 private:
  std::unordered_set<std::string> set_;
};

const CommonList& common_list() {
  // Built once on first use and read-only afterwards.
  static const CommonList list;
  return list;
}

}  // namespace

bool is_common_password(std::string_view password) {
  return common_list().contains(password);
}

Result<void> check_new_password(const SecretString& password, std::string_view username,
                                std::size_t min_length) {
  const std::string& pw = password.reveal();
  if (pw.size() < min_length)
    return make_error(ErrorCode::kInvalidArgument,
                      "password must be at least " + std::to_string(min_length) + " characters");
  if (pw.size() > 256)
    return make_error(ErrorCode::kInvalidArgument, "password must be at most 256 characters");
  if (lower(pw) == lower(username))
    return make_error(ErrorCode::kInvalidArgument, "password must not be the username");
  if (is_common_password(pw))
    return make_error(ErrorCode::kInvalidArgument,
                      "password is on the list of commonly used passwords");
  return ok();
}

}  // namespace arca::auth
