#include "domain/ids.h"

namespace arca {

bool is_valid_uid(std::string_view uid) {
  if (uid.empty() || uid.size() > 64)
    return false;
  std::size_t start = 0;
  while (start <= uid.size()) {
    std::size_t end = uid.find('.', start);
    if (end == std::string_view::npos)
      end = uid.size();
    std::string_view part = uid.substr(start, end - start);
    if (part.empty())
      return false;
    if (part.size() > 1 && part[0] == '0')
      return false;
    for (char c : part) {
      if (c < '0' || c > '9')
        return false;
    }
    start = end + 1;
  }
  return true;
}

}  // namespace arca
