// blobs.list: the list of a backup's blob files (docs/formats/backup.md §2), one line per blob,
// "<sha256 hex> <size> <blob id>\n", ids strictly ascending. It is a file of its own, bound to
// the manifest by its size and SHA-256, so that a backup of millions of objects is checked and
// restored by streaming, never by holding every entry in memory.
// Thread-safety: a BlobListReader is used by one thread at a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "core/file.h"
#include "store/blob_store.h"

namespace arca::service {

inline constexpr std::string_view kBlobListFile = "blobs.list";

struct BlobListEntry {
  store::BlobId id;
  std::uint64_t size = 0;
  std::string sha256;
};

std::string blob_list_line(const BlobListEntry& entry);

class BlobListReader {
 public:
  // kNotFound if there is no such file.
  static Result<BlobListReader> open(const std::filesystem::path& file);
  // The next entry, or nullopt at the end. kInvalidArgument for a malformed line or ids out of
  // order ("blobs.list line N: …").
  Result<std::optional<BlobListEntry>> next();
  // The first entry whose id is >= `id`, skipping smaller ones (ids ascending), or nullopt.
  Result<std::optional<BlobListEntry>> seek(const store::BlobId& id);

 private:
  explicit BlobListReader(FileSource source) : source_(std::move(source)) {}
  Result<std::optional<std::string>> line();

  FileSource source_;
  std::string buffer_;
  std::size_t pos_ = 0;
  bool eof_ = false;
  std::uint64_t line_no_ = 0;
  std::string last_id_;
  std::optional<BlobListEntry> peeked_;
};

}  // namespace arca::service
