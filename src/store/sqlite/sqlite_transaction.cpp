#include "store/sqlite/sqlite_transaction.h"

#include "store/sqlite/sqlite_catalog.h"
#include "store/sqlite/sqlite_rows.h"

namespace arca::store::sqlite {
namespace {

Result<void> validate(const StoredInstance& in) {
  const auto& a = in.attributes;
  if (in.tenant.empty() || in.patient_ref.empty() || a.study.study_uid.empty() ||
      a.series.series_uid.empty() || a.instance.sop_instance_uid.empty() || in.blob.empty())
    return make_error(ErrorCode::kInvalidArgument,
                      "instance needs tenant, patient ref, UIDs and blob");
  return ok();
}

// The replaced blob, unless the replacement reuses it (then it is still referenced).
std::optional<BlobId> unless_same(const BlobId& candidate, const BlobId& kept) {
  if (candidate == kept)
    return std::nullopt;
  return candidate;
}

}  // namespace

Result<std::unique_ptr<SqliteTransaction>> SqliteTransaction::begin(
    std::unique_lock<std::timed_mutex> lock, Connection& conn) {
  ARCA_TRY(conn.exec("BEGIN IMMEDIATE"));
  return std::make_unique<SqliteTransaction>(std::move(lock), conn);
}

SqliteTransaction::~SqliteTransaction() {
  if (open_)
    (void)conn_.exec("ROLLBACK");
}

template <typename F>
auto SqliteTransaction::in_savepoint(F&& body) -> decltype(body()) {
  if (!open_)
    return make_error(ErrorCode::kInvalidArgument, "index transaction already finished");
  ARCA_TRY(conn_.exec("SAVEPOINT put"));
  auto r = body();
  if (r.ok()) {
    ARCA_TRY(conn_.exec("RELEASE put"));
  } else {
    (void)conn_.exec("ROLLBACK TO put");
    (void)conn_.exec("RELEASE put");
  }
  return r;
}

Result<PutResult> SqliteTransaction::put_instance(const StoredInstance& instance,
                                                  ConflictPolicy policy,
                                                  const std::optional<BlobId>& replaces) {
  ARCA_TRY(validate(instance));
  return in_savepoint([&]() -> Result<PutResult> {
    auto existing = ARCA_TRY(
        find_instance_row(conn_, instance.tenant, instance.attributes.instance.sop_instance_uid));
    PutResult out;
    if (!existing) {
      ARCA_TRY(insert_instance(conn_, instance));
      return out;
    }
    // Equal digests mean equal bytes; with a digest missing only the caller can compare them,
    // and says so by naming the stored blob it found different (index.h).
    const bool found_different = replaces == existing->blob;
    if (!found_different && (existing->sha256.empty() || instance.sha256.empty())) {
      out.outcome = PutOutcome::kExists;
      return out;
    }
    if (!found_different && existing->sha256 == instance.sha256) {
      out.outcome = PutOutcome::kDuplicate;  // index.h: unreferenced_blob for kReplaced only
      return out;
    }
    if (policy == ConflictPolicy::kKeepFirst) {
      out.outcome = PutOutcome::kConflict;
      return out;
    }
    ARCA_TRY(delete_instance(conn_, *existing));
    ARCA_TRY(insert_instance(conn_, instance));
    out.outcome = PutOutcome::kReplaced;
    out.unreferenced_blob = unless_same(existing->blob, instance.blob);
    return out;
  });
}

Result<std::optional<BlobId>> SqliteTransaction::remove_instance(const TenantId& tenant,
                                                                 const InstanceUid& uid) {
  return in_savepoint([&]() -> Result<std::optional<BlobId>> {
    auto existing = ARCA_TRY(find_instance_row(conn_, tenant, uid));
    if (!existing)
      return std::optional<BlobId>();
    ARCA_TRY(delete_instance(conn_, *existing));
    return std::optional<BlobId>(existing->blob);
  });
}

Result<std::vector<StoredInstance>> SqliteTransaction::remove_study(const TenantId& tenant,
                                                                    const StudyUid& study) {
  return in_savepoint([&]() -> Result<std::vector<StoredInstance>> {
    std::vector<StoredInstance> removed;
    {
      auto st = ARCA_TRY(conn_.prepare(select_instance_sql() +
                                       "WHERE s.tenant = ? AND s.study_uid = ? ORDER BY i.id"));
      st.bind(1, tenant.str()).bind(2, study.str());
      while (ARCA_TRY(st.step()))
        removed.push_back(read_stored_instance(st));
    }
    for (const StoredInstance& instance : removed) {
      auto row =
          ARCA_TRY(find_instance_row(conn_, tenant, instance.attributes.instance.sop_instance_uid));
      if (row)
        ARCA_TRY(delete_instance(conn_, *row));
    }
    return removed;
  });
}

Result<void> SqliteTransaction::commit() {
  if (!open_)
    return make_error(ErrorCode::kInvalidArgument, "index transaction already finished");
  open_ = false;
  auto r = conn_.exec("COMMIT");
  if (!r.ok()) {
    (void)conn_.exec("ROLLBACK");
    return std::move(r).error().context("committing index transaction");
  }
  lock_.unlock();
  return ok();
}

}  // namespace arca::store::sqlite
