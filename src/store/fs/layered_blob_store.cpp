#include "store/fs/layered_blob_store.h"

namespace arca::store {

namespace {

bool not_found(const Error& e) {
  return e.code == ErrorCode::kNotFound;
}

}  // namespace

Result<std::unique_ptr<BlobWriter>> LayeredBlobStore::create(const BlobId& id,
                                                             const BlobScope& scope) {
  auto old = legacy_.open(id);
  if (old.ok())
    return make_error(ErrorCode::kAlreadyExists, "blob exists");
  if (!not_found(old.error()))
    return std::move(old).error();
  return primary_.create(id, scope);
}

Result<std::unique_ptr<BlobReader>> LayeredBlobStore::open(const BlobId& id) {
  auto found = primary_.open(id);
  if (found.ok() || !not_found(found.error()))
    return found;
  return legacy_.open(id);
}

Result<void> LayeredBlobStore::remove(const BlobId& id) {
  auto removed = primary_.remove(id);
  if (removed.ok() || !not_found(removed.error()))
    return removed;
  return legacy_.remove(id);
}

Result<void> LayeredBlobStore::list(const std::function<Result<void>(const BlobInfo&)>& visit) {
  ARCA_TRY(primary_.list(visit));
  return legacy_.list(visit);
}

Result<std::uint64_t> LayeredBlobStore::remove_incomplete() {
  std::uint64_t primary = ARCA_TRY(primary_.remove_incomplete());
  return primary + ARCA_TRY(legacy_.remove_incomplete());
}

}  // namespace arca::store
