// KeyProvider: where the root key comes from (DESIGN §4). FileKeyProvider keeps it in a file
// outside the data directory (default ./arca-secrets/root.key); PKCS#11 or a cloud KMS can be
// added behind the same interface. Every other long-lived key is either derived from the root
// key (derive_key) or wrapped under keys that are (store/encrypted/key_hierarchy.h).
// Thread-safety: implementations are thread-safe.
#pragma once

#include <filesystem>
#include <mutex>
#include <optional>

#include "core/random.h"
#include "core/result.h"
#include "core/secret.h"

namespace arca::crypto {

inline constexpr std::size_t kRootKeySize = 32;

class KeyProvider {
 public:
  virtual ~KeyProvider() = default;
  // The 32-byte root key.
  virtual Result<SecretBytes> root_key() = 0;
};

// A root key held in memory; for tests and for keys obtained some other way.
class StaticKeyProvider final : public KeyProvider {
 public:
  explicit StaticKeyProvider(SecretBytes key) : key_(std::move(key)) {}
  Result<SecretBytes> root_key() override { return key_.clone(); }

 private:
  SecretBytes key_;
};

// The root key in a file of exactly 32 raw bytes. If the file does not exist it is created
// (parent directory 0700, file 0600, written atomically; if two processes race, both end up
// with the one key that was published first). A key file readable or writable by group or
// others, or of the wrong length, is refused. The key is read once and then kept in memory.
class FileKeyProvider final : public KeyProvider {
 public:
  FileKeyProvider(std::filesystem::path path, Random& random)
      : path_(std::move(path)), random_(random) {}
  Result<SecretBytes> root_key() override;

 private:
  Result<SecretBytes> load();
  Result<void> create();

  std::filesystem::path path_;
  Random& random_;
  std::mutex mu_;
  std::optional<SecretBytes> key_;
};

// Keys derived from the root key, each for one purpose (docs/formats/blob.md §4).
enum class KeyPurpose {
  kIndex,       // "arca index v1": the SQLite3MC index key
  kVault,       // "arca vault v1": the key vault's own encryption
  kAuditMac,    // "arca audit-mac v1": audit chain checkpoints
  kBackup,      // "arca backup v1": backup archives
  kPatientRef,  // "arca patient-ref v1": tenant hashes and patient refs
  kTenantWrap,  // "arca tenant-wrap v1": wraps tenant keys
  kAccounts,    // "arca accounts v1": keys the digests of session ids, tokens and recovery
                //   codes, and wraps TOTP secrets
  kAuditLog,    // "arca audit-log v1": the SQLite3MC key of the audit trail (audit.db)
  // "arca audit-journal v1": the audit journal (audit.journal), records not yet in audit.db
  kAuditJournal,
};

// The HKDF info string of a purpose.
std::string_view key_purpose_info(KeyPurpose purpose);
// HKDF-SHA-256(ikm = root, salt = empty, info = key_purpose_info(purpose)), 32 bytes.
Result<SecretBytes> derive_key(const SecretBytes& root, KeyPurpose purpose);

}  // namespace arca::crypto
