#include "store/blob_store.h"

namespace arca::store {

bool is_valid_blob_id(const BlobId& id) {
  const std::string& s = id.str();
  if (s.size() != 32)
    return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  }
  return true;
}

}  // namespace arca::store
