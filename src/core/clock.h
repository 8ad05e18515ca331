// Time comes through a Clock so tests control it (STYLE rule 4).
// Thread-safety: SystemClock is thread-safe; ManualClock is thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

namespace arca {

class Clock {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
};

// A clock that only moves when told to; for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : now_(start.time_since_epoch().count()) {}
  TimePoint now() const override { return TimePoint(TimePoint::duration(now_.load())); }
  void advance(std::chrono::system_clock::duration d) { now_ += d.count(); }

 private:
  std::atomic<TimePoint::rep> now_;
};

// "2026-11-28T08:37:11.123Z".
std::string format_utc_iso8601(Clock::TimePoint t);
// Milliseconds since the Unix epoch.
std::int64_t to_unix_ms(Clock::TimePoint t);

}  // namespace arca
