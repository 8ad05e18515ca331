// SqliteAuditLog: the AuditLog in the index file (tables audit_records and audit_checkpoints,
// index migration 4), so the trail is encrypted at rest with the index. It opens its own
// connection to the file and migrates it, so it may be opened before or after SqliteIndex.
// Thread-safety: thread-safe (one connection behind a mutex; the recorder batches appends).
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>

#include "core/secret.h"
#include "store/audit_log.h"

namespace arca::store {

namespace sqlite {
class Connection;
}

class SqliteAuditLog final : public AuditLog {
 public:
  // `key` is the index key.
  static Result<std::unique_ptr<SqliteAuditLog>> open(const std::filesystem::path& index_file,
                                                      SecretBytes key);
  explicit SqliteAuditLog(std::unique_ptr<sqlite::Connection> conn);
  ~SqliteAuditLog() override;

  Result<std::vector<AuditRecord>> read(std::uint64_t from, std::size_t limit) override;
  Result<std::vector<AuditRecord>> read_time_range(std::int64_t from_ms, std::int64_t to_ms,
                                                   std::uint64_t after, std::size_t limit) override;
  Result<std::vector<AuditRecord>> read_time_range_newest_first(std::int64_t from_ms,
                                                                std::int64_t to_ms,
                                                                std::uint64_t before,
                                                                std::size_t limit) override;
  Result<AuditHead> head() override;
  Result<std::vector<AuditCheckpoint>> checkpoints() override;
  Result<void> append(const std::vector<AuditRecord>& records) override;
  // synchronous=NORMAL for this one transaction: in WAL mode the commit is not fsynced, and
  // SQLite's WAL recovery keeps a prefix of the commits, so a power loss loses at most the
  // unsynced tail of the chain, never a record in its middle.
  Result<void> append_unsynced(const std::vector<AuditRecord>& records) override;
  Result<void> sync() override;
  Result<void> append_checkpoint(const AuditCheckpoint& checkpoint) override;
  Result<std::uint64_t> prune_through(std::uint64_t seq) override;

 private:
  Result<AuditHead> head_locked();

  std::mutex mu_;
  std::unique_ptr<sqlite::Connection> conn_;
};

}  // namespace arca::store
