// SqliteIndex: the embedded Index on one SQLite3 Multiple Ciphers file (DESIGN §3, §4).
//
// Encryption: every page is encrypted with SQLite3MC's chacha20 cipher (ChaCha20 with a
// Poly1305 tag per page) under the caller's 32-byte raw key; a wrong key or a foreign file
// fails open() with kPermissionDenied ("wrong key or not an Arca index"), never a new file.
// Durability: WAL with synchronous=FULL, so a committed transaction survives a process kill
// and a power loss (the WAL is fsynced at every commit; group commit = many puts in one
// transaction). The schema is created and upgraded by numbered migrations on open().
//
// Semantics beyond index.h:
//  - patient rows are keyed by (tenant, patient_ref); study, series and instance rows by
//    (tenant, UID). Patient, study and series attributes keep the values of the first instance
//    that created the row; a later instance naming an existing series is filed under that
//    series (and its study and patient) whatever parents it names itself.
//  - study_instances() orders by series number (absent last), series UID, instance number
//    (absent last), then SOP Instance UID.
//  - query(): see store/sqlite/sqlite_query.h; matchers below the query level are refused with
//    kInvalidArgument.
//  - remove_instance() of an unknown UID returns nullopt.
//
// Thread-safety: thread-safe. One writer connection is owned by the open transaction for its
// lifetime (begin() waits up to busy_timeout for the previous one, then kUnavailable); reads
// use a pool of reader connections and run concurrently with the writer. A thread must not
// call begin() while it holds an open transaction. Transactions must not outlive the index.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

#include "core/secret.h"
#include "store/index.h"

namespace arca::store {

struct SqliteIndexOptions {
  std::size_t reader_connections = 4;
  std::chrono::milliseconds busy_timeout{5000};
  // Decrypted-page cache per connection (the writer and each reader). Encrypted files cannot
  // be memory-mapped, so this is what keeps a large index's hot pages from being re-read and
  // re-decrypted.
  std::size_t cache_mib_per_connection = 32;
};

class SqliteIndex final : public Index {
 public:
  // Opens or creates the index file; `key` is 32 random bytes.
  static Result<std::unique_ptr<SqliteIndex>> open(const std::filesystem::path& file,
                                                   SecretBytes key,
                                                   const SqliteIndexOptions& options = {});
  ~SqliteIndex() override;

  Result<std::unique_ptr<IndexTransaction>> begin() override;
  Result<std::optional<StoredInstance>> find_instance(const TenantId& tenant,
                                                      const InstanceUid& uid) override;
  Result<std::vector<StoredInstance>> study_instances(const TenantId& tenant,
                                                      const StudyUid& study) override;
  Result<std::vector<QueryRow>> query(const TenantId& tenant, const Query& query) override;
  Result<std::uint64_t> count(const TenantId& tenant, const Query& query) override;
  Result<void> for_each_instance(
      const std::function<Result<void>(const StoredInstance&)>& visit) override;
  Result<bool> references_blob(const BlobId& blob) override;
  Result<std::vector<StoredInstance>> instances_received_since(std::int64_t from_ms) override;
  Result<void> for_each_instance_received_since(
      std::int64_t from_ms,
      const std::function<Result<void>(const StoredInstance&)>& visit) override;

  struct State;  // connections; defined in sqlite_index.cpp
  explicit SqliteIndex(std::unique_ptr<State> state);

 private:
  std::unique_ptr<State> state_;
};

}  // namespace arca::store
