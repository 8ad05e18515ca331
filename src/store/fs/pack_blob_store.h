// PackBlobStore: blobs appended as records to a few large pack files, crash-safe
// (docs/formats/pack.md, docs/adr/0015-pack-files.md).
//
// Layout: <root>/packs/NNNNNNNN.pack (the records, each at a 4 KiB-aligned offset behind a 64-byte
// header) and NNNNNNNN.idx beside it (an unsynced hint listing the records). Storing a blob
// creates no file: a writer takes a pack from a pool (one writer per pack at a time), appends,
// and commit() writes the final header and fdatasyncs the pack. The id → location map is kept in
// memory and rebuilt at open() from the .idx files plus a scan of what they miss; tails left by
// a crash are cut off by remove_incomplete(). remove() punches out and zeroes the data.
// Thread-safe; writers and readers are used by one thread each. The store must outlive its
// writers; a reader keeps its pack file open by itself.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "store/blob_store.h"
#include "store/fs/pack_format.h"

namespace arca::store {

struct PackOptions {
  // A pack takes no new records once it has grown past this many bytes.
  std::uint64_t pack_size_limit = std::uint64_t{1} << 30;
  // Commit times; the system clock when null. Borrowed: must outlive the store.
  const Clock* clock = nullptr;
};

class PackBlobStore final : public BlobStore {
 public:
  // Creates <root>/packs if missing (mode 0700) and loads every pack (docs/formats/pack.md §5).
  static Result<std::unique_ptr<PackBlobStore>> open(const std::filesystem::path& root,
                                                     PackOptions options = {});
  ~PackBlobStore() override;

  Result<std::unique_ptr<BlobWriter>> create(const BlobId& id, const BlobScope& scope) override;
  Result<std::unique_ptr<BlobReader>> open(const BlobId& id) override;
  Result<void> remove(const BlobId& id) override;
  Result<void> list(const std::function<Result<void>(const BlobInfo&)>& visit) override;
  // Cuts off the tails a crash left in packs; returns how many packs had one.
  Result<std::uint64_t> remove_incomplete() override;

  // The committed blobs this open found by scanning a pack rather than in its .idx (or named
  // by an entry that says so, §4), and not confirmed since. Their header survived the crash
  // that kept them out of the .idx, but their data may not have (a two-step commit's sync
  // under way): whoever trusts them checks them first (the encrypted layer's GCM can).
  std::vector<BlobId> unverified() const;
  // Records that the unverified blobs still present are whole: appends their confirmations to
  // the .idx. The list is empty afterwards.
  Result<void> confirm_unverified();
  // The newest commit time among the committed blobs (ms since the Unix epoch); 0 when none.
  std::int64_t newest_commit_ms() const;

  // Where a committed blob's data is; for tests that read or tamper with pack files.
  struct Location {
    std::filesystem::path pack;
    std::uint64_t data_offset = 0;
    std::uint64_t length = 0;
  };
  Result<Location> locate(const BlobId& id);

  // One open pack file and its .idx. Shared (shared_ptr) by the store's table, at most one
  // writer and any number of readers, so a reader stays valid whatever happens to the store.
  struct Pack {
    std::uint32_t number = 0;
    pack::PackFile file;
    pack::PackFile idx;
    std::uint64_t end = 0;  // next record offset; touched only by the pack's current writer
    // Preallocated up to here (past the end of the file); touched only by the current writer.
    std::uint64_t allocated = 0;
  };

  // Writers preallocate packs this far ahead: ext4's delayed allocation of each page written
  // past the end cost ~20 % of a 0.5 MB append's CPU.
  static constexpr std::uint64_t kPreallocateAhead = std::uint64_t{16} << 20;

 private:
  friend class PackBlobWriter;
  // A writer gathers its blob's bytes into this much memory before writing them to the pack.
  static constexpr std::size_t kWriteBufferSize = std::size_t{1} << 20;
  friend class PackLoader;

  struct Slot {
    std::shared_ptr<Pack> pack;
    std::uint64_t offset = 0;  // record start
    std::uint64_t length = 0;
    std::int64_t time_ms = 0;
    bool reserved = false;  // a commit in progress: not visible yet
  };
  struct Tail {
    std::shared_ptr<Pack> pack;
    std::uint64_t offset = 0;
  };

  PackBlobStore(std::filesystem::path dir, PackOptions options);

  // Writers' side (pack_blob_store.cpp).
  Result<std::shared_ptr<Pack>> take_pack();
  Result<std::shared_ptr<Pack>> create_pack();
  void return_pack(std::shared_ptr<Pack> pack);
  void keep_tail(std::shared_ptr<Pack> pack, std::uint64_t offset);
  // Writers' buffers (kWriteBufferSize bytes each) are kept for the next writers, so storing a
  // blob fills memory already allocated instead of growing a new buffer each time.
  std::unique_ptr<std::uint8_t[]> take_buffer();
  void give_buffer(std::unique_ptr<std::uint8_t[]> buffer);
  Result<void> reserve(const pack::RawId& id, const Slot& slot);
  void release(const pack::RawId& id, const Pack& pack, std::uint64_t offset);
  void publish(const pack::RawId& id, const Pack& pack, std::uint64_t offset);
  std::int64_t now_ms() const;

  // Readers' side: the committed slot of id, its header checked (§5); kNotFound otherwise.
  Result<Slot> find_checked(const pack::RawId& id);
  static bool header_matches(const pack::RawId& id, const Slot& slot);
  void drop(const pack::RawId& id, const Slot& slot);

  std::filesystem::path dir_;
  PackOptions options_;
  SystemClock system_clock_;

  mutable std::shared_mutex map_mutex_;
  std::unordered_map<pack::RawId, Slot, pack::RawIdHash> map_;

  std::mutex pool_mutex_;
  std::vector<std::shared_ptr<Pack>> free_;
  std::vector<Tail> tails_;
  std::vector<std::unique_ptr<std::uint8_t[]>> spare_buffers_;
  std::vector<pack::RawId> unverified_;  // filled by the loader; guarded by map_mutex_
  std::uint32_t next_number_ = 1;
};

}  // namespace arca::store
