// BackupSchedule: the nightly backup of a running `arca serve` ([backup] daily_at = "HH:MM",
// UTC; docs/adr/0019-backup-and-restore.md). A thread of its own sleeps until the time, then
// runs the same use case as POST /api/v1/admin/backups as the principal "scheduler" (audited
// as such), into [backup] dir, keys_dir, keeping [backup] keep backups. A failed run is logged
// (no PHI: the error names files and ids only) and tried again the next day.
// Thread-safety: owns its thread; destroying it stops the thread (waiting for a running backup).
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/logger.h"
#include "service/backup_service.h"

namespace arca::app {

class BackupSchedule {
 public:
  // `minute_of_day` in [0, 1440), UTC. `backups` and `logger` must outlive the schedule.
  BackupSchedule(service::BackupService& backups, service::BackupDirs dirs, int minute_of_day,
                 Logger& logger);
  ~BackupSchedule();
  BackupSchedule(const BackupSchedule&) = delete;
  BackupSchedule& operator=(const BackupSchedule&) = delete;

 private:
  void run(const std::stop_token& stop);

  service::BackupService& backups_;
  service::BackupDirs dirs_;
  int minute_of_day_;
  Logger& logger_;
  std::mutex mu_;
  std::condition_variable_any wake_;
  std::jthread thread_;  // last: started after everything it uses
};

// "02:00" -> 120; nullopt unless HH:MM with HH < 24 and MM < 60.
std::optional<int> parse_minute_of_day(std::string_view text);

}  // namespace arca::app
