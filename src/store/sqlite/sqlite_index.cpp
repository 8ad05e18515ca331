#include "store/sqlite/sqlite_index.h"

#include <algorithm>
#include <mutex>

#include "core/file.h"
#include "store/sqlite/sqlite_pool.h"
#include "store/sqlite/sqlite_query.h"
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_schema.h"
#include "store/sqlite/sqlite_transaction.h"

namespace arca::store {

using sqlite::Connection;
using sqlite::ConnectionOptions;
using sqlite::OpenMode;

struct SqliteIndex::State {
  std::timed_mutex write_mu;  // held by the open transaction
  std::unique_ptr<Connection> writer;
  std::unique_ptr<sqlite::ReaderPool> readers;
  std::chrono::milliseconds busy_timeout{};
};

namespace {

ConnectionOptions options_for(const std::filesystem::path& file, OpenMode mode,
                              const SqliteIndexOptions& options) {
  ConnectionOptions o;
  o.file = file;
  o.mode = mode;
  o.busy_timeout_ms = static_cast<int>(options.busy_timeout.count());
  o.cache_kib =
      static_cast<int>(std::min<std::size_t>(options.cache_mib_per_connection, 4096) * 1024);
  o.application_id = sqlite::kIndexApplicationId;
  o.what = "index";
  return o;
}

}  // namespace

SqliteIndex::SqliteIndex(std::unique_ptr<State> state) : state_(std::move(state)) {}
SqliteIndex::~SqliteIndex() = default;

Result<std::unique_ptr<SqliteIndex>> SqliteIndex::open(const std::filesystem::path& file,
                                                       SecretBytes key,
                                                       const SqliteIndexOptions& options) {
  auto state = std::make_unique<State>();
  state->busy_timeout = options.busy_timeout;
  state->writer = ARCA_TRY(Connection::open(options_for(file, OpenMode::kReadWrite, options), key));
  ARCA_TRY(
      sqlite::migrate(*state->writer, sqlite::index_migrations(), sqlite::kIndexApplicationId));
  // The WAL and the database file now exist; make their directory entries durable too.
  ARCA_TRY(sync_directory(file.has_parent_path() ? file.parent_path() : "."));
  std::vector<std::unique_ptr<Connection>> readers;
  for (std::size_t i = 0; i < std::max<std::size_t>(1, options.reader_connections); ++i)
    readers.push_back(
        ARCA_TRY(Connection::open(options_for(file, OpenMode::kReadOnly, options), key)));
  state->readers = std::make_unique<sqlite::ReaderPool>(std::move(readers), options.busy_timeout);
  return std::make_unique<SqliteIndex>(std::move(state));
}

Result<std::unique_ptr<IndexTransaction>> SqliteIndex::begin() {
  std::unique_lock lock(state_->write_mu, std::defer_lock);
  if (!lock.try_lock_for(state_->busy_timeout))
    return make_error(ErrorCode::kUnavailable, "index writer busy");
  return ARCA_TRY(sqlite::SqliteTransaction::begin(std::move(lock), *state_->writer));
}

Result<std::optional<StoredInstance>> SqliteIndex::find_instance(const TenantId& tenant,
                                                                 const InstanceUid& uid) {
  auto conn = ARCA_TRY(state_->readers->acquire());
  auto st = ARCA_TRY(
      conn->cached(sqlite::select_instance_sql() + "WHERE i.tenant = ? AND i.sop_uid = ?"));
  st.bind(1, tenant.str()).bind(2, uid.str());
  if (!ARCA_TRY(st.step()))
    return std::optional<StoredInstance>();
  return std::optional<StoredInstance>(sqlite::read_stored_instance(st));
}

Result<std::vector<StoredInstance>> SqliteIndex::study_instances(const TenantId& tenant,
                                                                 const StudyUid& study) {
  auto conn = ARCA_TRY(state_->readers->acquire());
  auto st = ARCA_TRY(
      conn->cached(sqlite::select_instance_sql() +
                   "WHERE s.tenant = ? AND s.study_uid = ? ORDER BY se.series_number NULLS LAST, "
                   "se.series_uid, i.instance_number NULLS LAST, i.sop_uid"));
  st.bind(1, tenant.str()).bind(2, study.str());
  std::vector<StoredInstance> out;
  while (ARCA_TRY(st.step()))
    out.push_back(sqlite::read_stored_instance(st));
  return out;
}

Result<std::vector<QueryRow>> SqliteIndex::query(const TenantId& tenant, const Query& query) {
  auto sql = ARCA_TRY(sqlite::build_query(tenant, query));
  auto conn = ARCA_TRY(state_->readers->acquire());
  auto st = ARCA_TRY(conn->prepare(sql.sql));
  st.bind_all(sql.params);
  std::vector<QueryRow> out;
  while (ARCA_TRY(st.step()))
    out.push_back(sqlite::read_query_row(st, query.level));
  return out;
}

Result<std::uint64_t> SqliteIndex::count(const TenantId& tenant, const Query& query) {
  auto sql = ARCA_TRY(sqlite::build_count(tenant, query));
  auto conn = ARCA_TRY(state_->readers->acquire());
  auto st = ARCA_TRY(conn->prepare(sql.sql));
  st.bind_all(sql.params);
  if (!ARCA_TRY(st.step()))
    return std::uint64_t{0};
  return static_cast<std::uint64_t>(st.column_int(0));
}

Result<void> SqliteIndex::for_each_instance(
    const std::function<Result<void>(const StoredInstance&)>& visit) {
  // One statement stepped row by row: memory stays flat whatever the archive's size. It is
  // not cached, so a visitor may itself use the index (on another reader connection).
  auto conn = ARCA_TRY(state_->readers->acquire());
  auto st = ARCA_TRY(conn->prepare(sqlite::select_instance_sql() + "ORDER BY i.id"));
  while (ARCA_TRY(st.step()))
    ARCA_TRY(visit(sqlite::read_stored_instance(st)));
  return ok();
}

Result<bool> SqliteIndex::references_blob(const BlobId& blob) {
  auto conn = ARCA_TRY(state_->readers->acquire());
  auto st = ARCA_TRY(conn->cached("SELECT 1 FROM instances WHERE blob = ? LIMIT 1"));
  st.bind(1, blob.str());
  return ARCA_TRY(st.step());
}

Result<void> SqliteIndex::for_each_instance_received_since(
    std::int64_t from_ms, const std::function<Result<void>(const StoredInstance&)>& visit) {
  // Not cached, as for_each_instance: a visitor may itself use the index.
  auto conn = ARCA_TRY(state_->readers->acquire());
  auto st = ARCA_TRY(conn->prepare(sqlite::select_instance_sql() +
                                   "WHERE i.received_ms >= ? ORDER BY i.received_ms, i.id"));
  st.bind(1, from_ms);
  while (ARCA_TRY(st.step()))
    ARCA_TRY(visit(sqlite::read_stored_instance(st)));
  return ok();
}

Result<std::vector<StoredInstance>> SqliteIndex::instances_received_since(std::int64_t from_ms) {
  auto conn = ARCA_TRY(state_->readers->acquire());
  auto st = ARCA_TRY(conn->cached(sqlite::select_instance_sql() +
                                  "WHERE i.received_ms >= ? ORDER BY i.received_ms, i.id"));
  st.bind(1, from_ms);
  std::vector<StoredInstance> out;
  while (ARCA_TRY(st.step()))
    out.push_back(sqlite::read_stored_instance(st));
  return out;
}

}  // namespace arca::store
