#include "app/spdlog_logger.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace arca::app {

Result<std::unique_ptr<SpdlogLogger>> SpdlogLogger::create(const std::string& level) {
  auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    return make_error(ErrorCode::kInvalidArgument, "log level must be debug, info, warn or error");
  }
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("arca", sink);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  logger->set_level(parsed);
  logger->flush_on(spdlog::level::info);
  return std::unique_ptr<SpdlogLogger>(new SpdlogLogger(std::move(logger)));
}

void SpdlogLogger::log(LogLevel level, std::string_view message) {
  switch (level) {
    case LogLevel::kDebug:
      logger_->debug(message);
      break;
    case LogLevel::kInfo:
      logger_->info(message);
      break;
    case LogLevel::kWarn:
      logger_->warn(message);
      break;
    case LogLevel::kError:
      logger_->error(message);
      break;
  }
}

}  // namespace arca::app
