// SqliteAuditLog: the AuditLog in a SQLite3 Multiple Ciphers file of its own (audit.db in the
// data directory, tables audit_records and audit_checkpoints, audit migration 1), page-encrypted
// like the index under its own key (KeyPurpose::kAuditLog). It has its own file so that an audit
// commit does not invalidate the page caches of the index's connections (docs/adr/0014); WAL,
// synchronous=FULL except for append_unsynced().
// Older archives kept these tables in index.db (index migration 4): adopt_index_records() moves
// them here (sqlite_audit_move.h) and drops them from the index.
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
  // Opens or creates `audit_file`; `key` is 32 random bytes (derived with kAuditLog).
  static Result<std::unique_ptr<SqliteAuditLog>> open(const std::filesystem::path& audit_file,
                                                      SecretBytes key);
  // Moves the audit records and checkpoints an older archive's index holds into this log and
  // drops them from the index (nothing to do for an index without them); returns how many
  // records were copied. kIntegrity if this log already holds different records.
  Result<std::uint64_t> adopt_index_records(const std::filesystem::path& index_file,
                                            const SecretBytes& index_key);
  explicit SqliteAuditLog(std::unique_ptr<sqlite::Connection> conn);
  ~SqliteAuditLog() override;

  Result<std::vector<AuditRecord>> read(std::uint64_t from, std::size_t limit) override;
  Result<std::vector<AuditRecord>> read_time_range(std::int64_t from_ms, std::int64_t to_ms,
                                                   std::uint64_t after, std::size_t limit) override;
  Result<std::vector<AuditRecord>> read_time_range_newest_first(std::int64_t from_ms,
                                                                std::int64_t to_ms,
                                                                std::uint64_t before,
                                                                std::size_t limit) override;
  Result<AuditKeyedPage> read_by_key(const AuditKey& key, std::int64_t from_ms, std::int64_t to_ms,
                                     std::uint64_t cursor, bool newest_first,
                                     std::size_t limit) override;
  Result<std::optional<std::uint64_t>> first_unkeyed_record() override;
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
  // read_by_key's two directions (mu_ held).
  Result<AuditKeyedPage> keyed_forward(const AuditKey& key, std::int64_t from_ms,
                                       std::int64_t to_ms, std::uint64_t after, std::size_t limit);
  Result<AuditKeyedPage> keyed_backward(const AuditKey& key, std::int64_t from_ms,
                                        std::int64_t to_ms, std::uint64_t before,
                                        std::size_t limit);
  Result<std::vector<AuditRecord>> records_between(const AuditKey* key, std::uint64_t first,
                                                   std::uint64_t end, std::int64_t from_ms,
                                                   std::int64_t to_ms, bool descending,
                                                   std::size_t limit);
  // One read_by_key step reads at most this many segment filters, or tail records.
  static constexpr std::size_t kSegmentsPerStep = 64;
  static constexpr std::size_t kTailStep = 1000;
  // The synchronous level of the next commit (lock held): NORMAL for append_unsynced, FULL for
  // every other write. Switched only when it changes: SQLite parses a PRAGMA each time it runs.
  Result<void> relax(bool relaxed);

  std::mutex mu_;
  std::unique_ptr<sqlite::Connection> conn_;
  bool relaxed_ = false;  // the connection is at synchronous = NORMAL
};

}  // namespace arca::store
