#include "audit/syslog_forwarder.h"

#include <signal.h>

#include <algorithm>

#include "audit/syslog_message.h"
#include "core/file.h"

namespace arca::audit {
namespace {

constexpr std::size_t kPage = 256;

}  // namespace

SyslogForwarder::SyslogForwarder(store::AuditLogReader& log, SyslogConnector& connector,
                                 Logger& logger, SyslogForwarderOptions options)
    : log_(log),
      connector_(connector),
      logger_(logger),
      options_(std::move(options)),
      thread_([this](std::stop_token stop) { run(stop); }) {}

SyslogForwarder::~SyslogForwarder() {
  thread_.request_stop();
  cv_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

Result<std::uint64_t> SyslogForwarder::read_cursor() {
  if (!std::filesystem::exists(options_.cursor_file))
    return std::uint64_t{0};
  Bytes bytes = ARCA_TRY(read_file(options_.cursor_file, 32));
  std::string text(as_chars(bytes));
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
    return make_error(ErrorCode::kCorruptIndex, "audit syslog cursor file is malformed");
  return static_cast<std::uint64_t>(std::stoull(text));
}

Result<void> SyslogForwarder::write_cursor(std::uint64_t seq) {
  return write_file_atomic(options_.cursor_file, as_bytes(std::to_string(seq)), 0600);
}

Result<void> SyslogForwarder::send_queued() {
  std::lock_guard lock(mu_);
  std::uint64_t cursor = ARCA_TRY(read_cursor());
  while (true) {
    auto page = ARCA_TRY(log_.read(cursor + 1, kPage));
    if (page.empty())
      return ok();
    if (!connection_)
      connection_ = ARCA_TRY(connector_.connect());
    std::string frames;
    for (const auto& record : page)
      frames += syslog_frame(record, options_.hostname);
    auto written = connection_->write(frames);
    if (!written.ok()) {
      connection_.reset();
      return written;
    }
    cursor = page.back().seq;
    ARCA_TRY(write_cursor(cursor));
    if (page.size() < kPage)
      return ok();
  }
}

void SyslogForwarder::run(std::stop_token stop) {
  // A collector that goes away turns the next write into EPIPE for this thread, not a SIGPIPE
  // that would end the process.
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
  auto wait = options_.poll;
  bool failing = false;
  while (true) {
    bool stopping = stop.stop_requested();
    auto sent = send_queued();
    if (sent.ok()) {
      if (failing)
        logger_.info("audit syslog: delivering to " + connector_.describe() + " again");
      failing = false;
      wait = options_.poll;
    } else {
      if (!failing) {
        logger_.warn("audit syslog: " + connector_.describe() +
                     " unavailable, records stay queued: " + sent.error().to_string());
      }
      failing = true;
      wait = std::min(std::max(wait * 2, std::chrono::milliseconds(1000)), options_.max_backoff);
    }
    if (stopping)
      return;  // that was the last attempt
    std::unique_lock lock(wait_mu_);
    cv_.wait_for(lock, stop, wait, [] { return false; });
  }
}

}  // namespace arca::audit
