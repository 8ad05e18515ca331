// The logging facade. Components take a Logger& through their constructor; app/ wires a
// concrete one (spdlog). Messages must never carry PHI: log UIDs and opaque ids only.
// Thread-safety: implementations must be thread-safe.
#pragma once

#include <string_view>

namespace arca {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

class Logger {
 public:
  virtual ~Logger() = default;
  virtual void log(LogLevel level, std::string_view message) = 0;

  void debug(std::string_view m) { log(LogLevel::kDebug, m); }
  void info(std::string_view m) { log(LogLevel::kInfo, m); }
  void warn(std::string_view m) { log(LogLevel::kWarn, m); }
  void error(std::string_view m) { log(LogLevel::kError, m); }
};

class NullLogger final : public Logger {
 public:
  void log(LogLevel, std::string_view) override {}
};

}  // namespace arca
