// Records, keys and an injected disk-full for the audit journal's tests.
#pragma once

#include <sys/resource.h>

#include <csignal>
#include <string>

#include "core/secret.h"
#include "store/audit_log.h"

namespace arca::store::test {

inline SecretBytes journal_key() {
  return SecretBytes(Bytes(32, 0x4a));
}

// Record `seq`, every field set (chain hashes are placeholders: the journal does not check them).
inline AuditRecord journal_record(std::uint64_t seq) {
  AuditRecord r;
  r.seq = seq;
  r.time_ms = 1'700'000'000'000 + static_cast<std::int64_t>(seq);
  r.actor = "ae:CT1";
  r.tenant = "default";
  r.action = "retrieve";
  r.outcome = "success";
  r.error_code = "none";
  r.detail = "read";
  r.patients = {"ab12"};
  r.studies = {"1.2.3"};
  r.series = {"1.2.3.4"};
  r.instances = {"1.2.3.4.5", "1.2.3.4.6"};
  r.client_address = "127.0.0.1:1234";
  r.user_agent = "curl/7.88";
  r.request_id = "req-" + std::to_string(seq % 10);
  r.prev_hash = std::string(64, '0');
  r.hash = std::string(64, static_cast<char>('a' + seq % 6));
  return r;
}

// While alive, this process cannot make a file longer than `bytes` (writes fail with EFBIG, as
// on a full disk): a real failed write without a fake file.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(std::uint64_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    previous_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit lower = saved_;
    lower.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &lower);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, previous_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit saved_{};
  void (*previous_)(int) = nullptr;
};

}  // namespace arca::store::test
