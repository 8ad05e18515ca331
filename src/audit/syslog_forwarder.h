// SyslogForwarder: sends every audit record, in order, to a syslog collector (RFC 5424 over
// RFC 5425 TLS; syslog_message.h). The queue is the audit trail itself plus a cursor file (the
// seq of the last record written to the collector, replaced atomically), so records wait out a
// collector that is down, and a restart, and are delivered when it returns: nothing is lost.
// Delivery is at least once (a record written just before a connection broke may be sent
// again); the seq in each message lets the collector drop duplicates.
// Thread-safety: owns one thread (started by the constructor; all sending happens on it, with
// SIGPIPE blocked), stopped by the destructor after one last attempt to send what is queued.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/logger.h"
#include "core/result.h"
#include "store/audit_log.h"

namespace arca::audit {

// One connection to a collector. Thread-safety: used by one thread.
class SyslogConnection {
 public:
  virtual ~SyslogConnection() = default;
  // Writes all of `bytes` or fails (the connection is then unusable).
  virtual Result<void> write(std::string_view bytes) = 0;
};

// Opens connections to one collector. Thread-safety: implementations are thread-safe.
class SyslogConnector {
 public:
  virtual ~SyslogConnector() = default;
  virtual Result<std::unique_ptr<SyslogConnection>> connect() = 0;
  virtual std::string describe() const = 0;  // "host:port", for logs
};

struct SyslogForwarderOptions {
  std::filesystem::path cursor_file;
  std::string hostname;  // HOSTNAME of the messages
  std::chrono::milliseconds poll{500};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(30)};
};

class SyslogForwarder {
 public:
  SyslogForwarder(store::AuditLogReader& log, SyslogConnector& connector, Logger& logger,
                  SyslogForwarderOptions options);
  ~SyslogForwarder();
  SyslogForwarder(const SyslogForwarder&) = delete;
  SyslogForwarder& operator=(const SyslogForwarder&) = delete;

  // Sends everything queued now; fails if the collector cannot be reached or a write fails.
  // Called by the forwarder's thread (public for tests that drive it without the thread).
  Result<void> send_queued();

 private:
  void run(std::stop_token stop);
  Result<std::uint64_t> read_cursor();
  Result<void> write_cursor(std::uint64_t seq);

  store::AuditLogReader& log_;
  SyslogConnector& connector_;
  Logger& logger_;
  SyslogForwarderOptions options_;
  std::mutex mu_;  // one sender at a time
  std::unique_ptr<SyslogConnection> connection_;
  std::mutex wait_mu_;
  std::condition_variable_any cv_;
  std::jthread thread_;  // last member: starts after the others are initialised
};

}  // namespace arca::audit
