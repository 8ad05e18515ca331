// BlobStore: where the bytes of stored objects live (files, S3 objects). Five operations, after
// Orthanc's IStorageArea, with a write protocol that makes durability explicit:
//
//   auto w = ARCA_TRY(store.create(id, scope));
//   ARCA_TRY(w->write(chunk)); ...            // any number of chunks
//   ARCA_TRY(w->commit());                    // durable and visible under id, or an error
//
// A writer destroyed without a successful commit() leaves nothing visible under its id.
// After commit() returns, the blob survives a crash (fsync or the object store's guarantee).
// Ids are opaque lower-case hex chosen by the caller (random 128 bits); stores never derive
// anything from content, so ids carry no PHI. `scope` says which patient's key protects the
// blob; stores that do not encrypt ignore it (encryption is a decorator, STYLE rule 9).
// Thread-safety: a BlobStore is thread-safe; writers and readers are used by one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "core/clock.h"
#include "core/result.h"
#include "core/stream.h"
#include "domain/ids.h"

namespace arca::store {

using BlobId = StrongId<struct BlobIdTag>;

// True for 32 lower-case hex characters.
bool is_valid_blob_id(const BlobId& id);

struct BlobScope {
  TenantId tenant;
  PatientRef patient;
};

class BlobWriter : public ByteSink {
 public:
  // Makes the blob durable and visible. Called at most once; no writes after it.
  virtual Result<void> commit() = 0;

  // commit() in two steps, for a caller that overlaps the wait for the disk with other work
  // (ingest commits the index meanwhile, docs/adr/0023): commit_unsynced() makes the blob
  // visible under its id, written but not yet durable; sync() then makes it durable. Use
  // either commit() or both, in that order; after a failed sync() the blob may or may not
  // survive a crash, so the caller removes it. Stores that cannot split the two do it all in
  // commit_unsynced().
  virtual Result<void> commit_unsynced() { return commit(); }
  virtual Result<void> sync() { return ok(); }

  // A hint from a writer fed while its bytes still arrive (a C-STORE): hand what was written so
  // far to the disk now, so the sync at the end has less left to wait for. Best effort.
  virtual Result<void> start_writeback() { return ok(); }
};

class BlobReader {
 public:
  virtual ~BlobReader() = default;
  // Size of the blob's content in bytes (plaintext, for an encrypted store).
  virtual std::uint64_t size() const = 0;
  // Reads up to out.size() bytes at offset; returns fewer only at the end of the blob.
  virtual Result<std::size_t> read_at(std::uint64_t offset, MutableByteView out) = 0;
  // True when size() and every byte read_at() returns are authenticated as exactly what was
  // written under this blob's id (an AEAD store: damage, truncation or a swapped blob fail the
  // read with kIntegrity before any byte of it is returned). Readers of plain stores: false.
  virtual bool authenticated() const { return false; }
};

struct BlobInfo {
  BlobId id;
  Clock::TimePoint modified;
  std::uint64_t stored_size = 0;  // bytes as stored (ciphertext under EncryptedBlobStore)
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;
  // True when every reader it opens is authenticated() (an encrypted store).
  virtual bool authenticates() const { return false; }
  // Fails with kAlreadyExists if a committed blob has this id.
  virtual Result<std::unique_ptr<BlobWriter>> create(const BlobId& id, const BlobScope& scope) = 0;
  // Fails with kNotFound if there is no committed blob with this id.
  virtual Result<std::unique_ptr<BlobReader>> open(const BlobId& id) = 0;
  // Removes a committed blob; kNotFound if there is none.
  virtual Result<void> remove(const BlobId& id) = 0;
  // Visits every committed blob (order unspecified). Stops at the first error the visitor returns.
  virtual Result<void> list(const std::function<Result<void>(const BlobInfo&)>& visit) = 0;
  // Removes leftovers of writes that never committed (temp files, unfinished uploads).
  virtual Result<std::uint64_t> remove_incomplete() = 0;
};

// A ByteSource over a whole blob, reading sequentially through read_at.
class BlobSource final : public ByteSource {
 public:
  explicit BlobSource(BlobReader& reader) : reader_(reader) {}
  Result<std::size_t> read(MutableByteView out) override {
    std::size_t n = ARCA_TRY(reader_.read_at(pos_, out));
    pos_ += n;
    return n;
  }

 private:
  BlobReader& reader_;
  std::uint64_t pos_ = 0;
};

}  // namespace arca::store
