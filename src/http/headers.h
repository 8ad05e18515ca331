// An ordered list of HTTP header fields with case-insensitive names, used by both Request and
// Response. Values are stored as given, except that CR, LF and NUL are removed so a value built
// from user input can never split a header (response splitting).
// Thread-safety: a Headers object is used by one thread at a time.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace arca::http {

bool iequals(std::string_view a, std::string_view b);

class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  // First value of the field, if present.
  std::optional<std::string_view> get(std::string_view name) const;
  bool contains(std::string_view name) const { return get(name).has_value(); }
  // Replaces every field of that name with one.
  void set(std::string_view name, std::string_view value);
  // Sets the field only if it is absent (for defaults a handler may override).
  void set_default(std::string_view name, std::string_view value);
  // Appends a field, keeping any existing ones of that name.
  void add(std::string_view name, std::string_view value);
  void remove(std::string_view name);

  const std::vector<Field>& fields() const { return fields_; }

 private:
  std::vector<Field> fields_;
};

}  // namespace arca::http
