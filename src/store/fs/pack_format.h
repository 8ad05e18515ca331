// The on-disk records of pack files (docs/formats/pack.md): the 64-byte record header and the
// 56-byte .idx entry, and the small file handle PackBlobStore reads and writes them through.
// Thread-safety: the functions are pure; a PackFile may be shared by threads (pread/pwrite only).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>

#include "core/file.h"
#include "core/result.h"
#include "core/stream.h"
#include "store/blob_store.h"

namespace arca::store::pack {

inline constexpr std::uint64_t kAlign = 4096;
inline constexpr std::size_t kHeaderSize = 64;
inline constexpr std::size_t kIdxEntrySize = 56;

inline std::uint64_t align_up(std::uint64_t n) {
  return (n + kAlign - 1) & ~(kAlign - 1);
}

// A blob id as its 16 bytes.
using RawId = std::array<std::uint8_t, 16>;
struct RawIdHash {
  std::size_t operator()(const RawId& id) const;
};
// nullopt unless is_valid_blob_id(id).
std::optional<RawId> parse_id(const BlobId& id);
BlobId format_id(const RawId& id);

enum class RecordState : std::uint16_t { kWriting = 1, kCommitted = 2, kRemoved = 3 };

struct RecordHeader {
  RecordState state = RecordState::kWriting;
  RawId id{};
  std::uint64_t length = 0;
  std::int64_t time_ms = 0;
};

std::array<std::uint8_t, kHeaderSize> encode_header(const RecordHeader& h);
// nullopt for anything but a valid header (magic, version, state, CRC).
std::optional<RecordHeader> decode_header(ByteView bytes);

// kUnverified: a committed record whose sync is not known to have finished (an open's scan
// found it, or its writer was dropped before syncing), so a crash may have cut its data short
// (docs/formats/pack.md §3–5); a later kCommitted entry for the same record confirms it.
enum class IdxKind : std::uint8_t { kCommitted = 1, kRemoved = 2, kUnverified = 3 };

struct IdxEntry {
  IdxKind kind = IdxKind::kCommitted;
  RawId id{};
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::int64_t time_ms = 0;
};

std::array<std::uint8_t, kIdxEntrySize> encode_idx(const IdxEntry& e);
std::optional<IdxEntry> decode_idx(ByteView bytes);

// A pack or .idx file (a core File) with the positional I/O the store needs.
class PackFile {
 public:
  enum class Open { kExisting, kCreateExclusive, kAppend };
  static Result<PackFile> open(const std::filesystem::path& path, Open how);

  // Reads until out is full or the end of the file; returns the bytes read.
  Result<std::size_t> pread_full(std::uint64_t offset, MutableByteView out) const;
  Result<void> pwrite_all(std::uint64_t offset, ByteView data) const;
  // One write(2) on an O_APPEND descriptor (atomic position for a small entry).
  Result<void> append(ByteView data) const;
  Result<std::uint64_t> size() const;
  Result<void> truncate(std::uint64_t size) const;
  Result<void> datasync() const;
  // Starts writing [offset, offset+length) back to the disk without waiting for it
  // (sync_file_range SYNC_FILE_RANGE_WRITE). Best effort.
  void start_writeback(std::uint64_t offset, std::uint64_t length) const;
  // Allocates [offset, offset+length) without changing the file's size (fallocate
  // FALLOC_FL_KEEP_SIZE), so later writes there skip the file system's per-page delayed
  // allocation. Best effort: false where the file system cannot or the disk is full.
  bool preallocate(std::uint64_t offset, std::uint64_t length) const;
  // Gives back what preallocate() reserved past the end of the file.
  void release_preallocated() const;
  // Zeroes [offset, offset+length): whole blocks deallocated, edges overwritten.
  Result<void> erase(std::uint64_t offset, std::uint64_t length) const;

 private:
  explicit PackFile(File file) : file_(std::move(file)) {}
  File file_;
};

}  // namespace arca::store::pack
