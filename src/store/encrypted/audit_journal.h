// AuditJournal: the append-only, encrypted file (`<data>/audit.journal`) that is the commit point
// of audit records not yet in audit.db (docs/adr/0017). A record is committed once its frame is
// written (one write(2) per batch); it is in audit.db later, and replayed from here after a
// crash. Format: docs/formats/audit-chain.md, "Journal".
// Every file starts with a fresh random salt from which its key is derived (HKDF of the
// kAuditJournal key), and frame nonces are a counter that only grows within one open file (even
// past a failed write), so a nonce is never used twice under a key.
// Reading tells a torn tail (a crash in the middle of a write: discarded) from an altered file:
// a damaged frame with intact frames after it, a damaged header or the wrong key (kIntegrity).
// Thread-safety: not thread-safe; JournaledAuditLog serializes access.
#pragma once

#include <array>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "core/file.h"
#include "core/random.h"
#include "core/secret.h"
#include "crypto/aead.h"
#include "store/audit_log.h"
#include "store/encrypted/mapped_append_area.h"

namespace arca::store {

// What a journal file held when it was read.
struct JournalContents {
  std::vector<AuditRecord> records;  // every intact frame's record, in file order (seq rising)
  std::uint64_t intact_bytes = 0;    // where the intact frames end
  bool torn = false;                 // bytes after them were not a whole frame: discarded
};

class AuditJournal {
 public:
  static constexpr std::size_t kHeaderSize = 64;

  // The records in `file`: kNotFound if there is none; kIntegrity if it was altered or is under
  // another key. A torn tail is reported in `torn`, not as an error.
  static Result<JournalContents> read(const std::filesystem::path& file, const SecretBytes& key);
  // How appends reach the file: copied into a mapping of space reserved ahead where the file
  // system makes that safe (MappedAppendArea; the file then ends in zeros), else one pwrite per
  // append; kPwrite always writes.
  enum class Writes { kMappedWhereSafe, kPwrite };
  // Replaces `file` atomically (temp file, fsync, rename, directory fsync) with an empty journal
  // under a fresh salt, mode 0600, and opens it for appending.
  static Result<AuditJournal> create(const std::filesystem::path& file, const SecretBytes& key,
                                     Random& random, Writes writes = Writes::kMappedWhereSafe);
  AuditJournal(AuditJournal&&) noexcept;
  AuditJournal& operator=(AuditJournal&&) noexcept;
  ~AuditJournal();

  // Appends one frame per record with a single write (or copy into the mapping). On failure the
  // file is cut back to where it was (mapped: nothing was copied, the space could not be
  // reserved); if even that fails, every later append fails (kUnavailable) until a new file.
  Result<void> append(const std::vector<AuditRecord>& records);
  // fdatasync (and, if create() could not, the directory's fsync): every record appended so far
  // survives a power loss.
  Result<void> sync();
  // The two halves of sync(), so that the fdatasync can run on another thread without blocking
  // appends: the directory's fsync if create() could not do it (under the caller's lock), and
  // the file, shared (File::sync() of it makes every record appended before the call durable,
  // and it stays open even if the journal is replaced meanwhile).
  Result<void> sync_directory_once();
  std::shared_ptr<const File> file() const { return file_; }
  // Bytes of the journal (header and frames; reserved space after them not counted).
  std::uint64_t size() const { return size_; }
  // A failed write could not be undone: only a new file takes appends again.
  bool broken() const { return broken_; }

 private:
  using Header = std::array<std::uint8_t, kHeaderSize>;
  AuditJournal(File file, crypto::Aes256Gcm gcm, const Header& header, std::filesystem::path dir);

  std::shared_ptr<File> file_;  // never null
  crypto::Aes256Gcm gcm_;
  Header header_{};
  std::filesystem::path dir_;
  bool dir_synced_ = false;
  std::uint64_t size_ = kHeaderSize;
  std::uint64_t next_counter_ = 1;  // 0 seals the header
  bool broken_ = false;
  std::optional<MappedAppendArea> area_;  // set when appends are copied into a mapping
  // Scratch buffers of append(), reused: the frames of one append, one record's plaintext, and
  // the associated data (header ‖ frame prefix).
  Bytes frames_;
  Bytes plain_;
  Bytes aad_;
};

}  // namespace arca::store
