#include "service/archive_maintenance.h"

#include "dicom/parse.h"
#include "service/authorize.h"
#include "service/retrieve_service.h"

namespace arca::service {

// Without a digest (docs/adr/0021) the File Meta SOP Instance UID is what ties a row to its blob
// beyond the blob id bound into the encryption.
Result<void> verify_stored_object(store::BlobStore& blobs, const store::StoredInstance& row) {
  auto reader = ARCA_TRY(blobs.open(row.blob));
  VerifiedSource source(std::move(reader), row, Verify::kDigest);
  Bytes buffer(256 * 1024);
  bool first = true;
  while (const std::size_t n = ARCA_TRY(source.read(buffer))) {
    if (first) {
      first = false;
      auto uid = dicom::media_storage_sop_instance_uid(ByteView(buffer).first(n));
      if (uid != row.attributes.instance.sop_instance_uid.str())
        return make_error(ErrorCode::kIntegrity,
                          "stored object is not the instance its index row names");
    }
  }
  return ok();
}

Result<CheckReport> check_archive(const RequestContext& ctx, store::IndexReader& index,
                                  store::BlobStore& blobs,
                                  const std::function<void(std::size_t)>& progress) {
  ARCA_TRY(authorize(ctx, Permission::kAdminSettings));
  CheckReport report;
  ARCA_TRY(index.for_each_instance([&](const store::StoredInstance& row) -> Result<void> {
    auto checked = verify_stored_object(blobs, row);
    if (!checked.ok()) {
      report.failures.push_back(
          {row.tenant, row.attributes.instance.sop_instance_uid, std::move(checked).error()});
    }
    ++report.checked;
    if (progress)
      progress(report.checked);
    return ok();
  }));
  return report;
}

Result<SweepReport> sweep_orphans(store::BlobStore& blobs, store::IndexReader& index,
                                  Logger& logger) {
  SweepReport report;
  report.temp_removed = ARCA_TRY(blobs.remove_incomplete());
  std::vector<store::BlobId> orphans;
  ARCA_TRY(blobs.list([&](const store::BlobInfo& info) -> Result<void> {
    if (!ARCA_TRY(index.references_blob(info.id)))
      orphans.push_back(info.id);
    return ok();
  }));
  for (const auto& id : orphans) {
    ARCA_TRY(blobs.remove(id));
    ++report.orphans_removed;
  }
  if (report.temp_removed + report.orphans_removed > 0) {
    logger.info("startup sweep removed " + std::to_string(report.temp_removed) +
                " unfinished writes and " + std::to_string(report.orphans_removed) +
                " unindexed blobs");
  }
  return report;
}

}  // namespace arca::service
