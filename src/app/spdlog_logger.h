// The Logger that app/ wires: spdlog to standard error. Messages are PHI-free by contract
// (core/logger.h); this class adds nothing but formatting. Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "core/logger.h"
#include "core/result.h"

namespace spdlog {
class logger;
}

namespace arca::app {

class SpdlogLogger final : public Logger {
 public:
  // level: "debug", "info", "warn", "error".
  static Result<std::unique_ptr<SpdlogLogger>> create(const std::string& level);
  void log(LogLevel level, std::string_view message) override;

 private:
  explicit SpdlogLogger(std::shared_ptr<spdlog::logger> logger) : logger_(std::move(logger)) {}
  // shared_ptr because spdlog hands out its loggers that way.
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace arca::app
