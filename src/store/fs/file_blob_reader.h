// Internal to store/fs: a BlobReader over a whole file of known size (FsBlobStore's objects, a
// backup's blob files).
#pragma once

#include "core/file.h"
#include "store/blob_store.h"

namespace arca::store {

class FileBlobReader final : public BlobReader {
 public:
  FileBlobReader(File file, std::uint64_t size) : file_(std::move(file)), size_(size) {}
  std::uint64_t size() const override { return size_; }
  Result<std::size_t> read_at(std::uint64_t offset, MutableByteView out) override {
    std::size_t done = 0;
    while (done < out.size() && offset + done < size_) {
      std::size_t n = ARCA_TRY(file_.read_at(offset + done, out.subspan(done)));
      if (n == 0)
        break;
      done += n;
    }
    return done;
  }

 private:
  File file_;
  std::uint64_t size_;
};

}  // namespace arca::store
