// Internal to store/sqlite: SqliteIndex's write transaction. It owns the writer connection
// (through the writer mutex) from begin() until commit or destruction; BEGIN IMMEDIATE takes
// SQLite's write lock up front so a commit never fails for lock upgrade. Each put/remove runs
// in a savepoint, so a failed call leaves the transaction as it was and still usable.
// Destroyed without commit(): ROLLBACK.
// Thread-safety: used by one thread.
#pragma once

#include <mutex>

#include "store/index.h"
#include "store/sqlite/sqlite_connection.h"

namespace arca::store::sqlite {

class SqliteTransaction final : public IndexTransaction {
 public:
  // `lock` holds the writer mutex guarding `conn`.
  static Result<std::unique_ptr<SqliteTransaction>> begin(std::unique_lock<std::timed_mutex> lock,
                                                          Connection& conn);
  SqliteTransaction(std::unique_lock<std::timed_mutex> lock, Connection& conn)
      : lock_(std::move(lock)), conn_(conn) {}
  ~SqliteTransaction() override;

  using IndexTransaction::put_instance;
  Result<PutResult> put_instance(const StoredInstance& instance, ConflictPolicy policy,
                                 const std::optional<BlobId>& replaces) override;
  Result<std::optional<BlobId>> remove_instance(const TenantId& tenant,
                                                const InstanceUid& uid) override;
  Result<std::vector<StoredInstance>> remove_study(const TenantId& tenant,
                                                   const StudyUid& study) override;
  Result<void> commit() override;

 private:
  template <typename F>
  auto in_savepoint(F&& body) -> decltype(body());

  std::unique_lock<std::timed_mutex> lock_;
  Connection& conn_;
  bool open_ = true;
};

}  // namespace arca::store::sqlite
