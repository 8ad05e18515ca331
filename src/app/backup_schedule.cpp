#include "app/backup_schedule.h"

#include <chrono>

namespace arca::app {

namespace {

// The next time it is `minute_of_day` (UTC) after `now`.
std::chrono::system_clock::time_point next_run(std::chrono::system_clock::time_point now,
                                               int minute_of_day) {
  using namespace std::chrono;
  auto day = floor<days>(now);
  auto at = day + minutes(minute_of_day);
  return at > now ? at : at + days(1);
}

service::RequestContext scheduler_context() {
  service::RequestContext ctx = service::console_context();
  ctx.principal.id = "scheduler";
  ctx.client_address = "scheduler";
  return ctx;
}

}  // namespace

std::optional<int> parse_minute_of_day(std::string_view text) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (text.size() != 5 || text[2] != ':' || !digit(text[0]) || !digit(text[1]) || !digit(text[3]) ||
      !digit(text[4]))
    return std::nullopt;
  int h = (text[0] - '0') * 10 + (text[1] - '0');
  int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (h > 23 || m > 59)
    return std::nullopt;
  return h * 60 + m;
}

BackupSchedule::BackupSchedule(service::BackupService& backups, service::BackupDirs dirs,
                               int minute_of_day, Logger& logger)
    : backups_(backups),
      dirs_(std::move(dirs)),
      minute_of_day_(minute_of_day),
      logger_(logger),
      thread_([this](const std::stop_token& stop) { run(stop); }) {}

BackupSchedule::~BackupSchedule() {
  thread_.request_stop();
  wake_.notify_all();
}

void BackupSchedule::run(const std::stop_token& stop) {
  for (;;) {
    auto at = next_run(std::chrono::system_clock::now(), minute_of_day_);
    {
      std::unique_lock lock(mu_);
      wake_.wait_until(lock, stop, at, [] { return false; });
    }
    if (stop.stop_requested())
      return;
    auto made = backups_.create_named(scheduler_context(), dirs_);
    if (made.ok()) {
      logger_.info("scheduled backup written: " + made->backup.dir.filename().string() + ", " +
                   std::to_string(made->backup.manifest.instances) + " instances");
    } else {
      logger_.error("scheduled backup failed: " + made.error().to_string());
    }
  }
}

}  // namespace arca::app
