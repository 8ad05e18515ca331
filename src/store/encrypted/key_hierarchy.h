// KeyHierarchy: the key tree of DESIGN §4 and docs/formats/blob.md §4.
//
//   root key (KeyProvider) ─HKDF─▶ root wrapping key ─wraps─▶ tenant key ─wraps─▶ patient key
//
// Tenant and patient keys are random 32-byte keys, stored wrapped in the KeyVault under opaque
// ids ("tenant:<tenant hash>", "patient:<tenant hash>:<patient ref>"); each is wrapped with its
// own vault id as context, so entries cannot be swapped. Per-object data keys are wrapped under
// the patient key by EncryptedBlobStore and kept in the blob header. Destroying a patient key
// (erase_patient) crypto-shreds every blob of that patient, wherever copies of it live.
// Unwrapped tenant and patient keys are cached in a bounded LRU.
// Thread-safety: thread-safe. Callers must not ingest for a patient while erasing them.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/random.h"
#include "core/result.h"
#include "core/secret.h"
#include "crypto/key_provider.h"
#include "domain/ids.h"
#include "store/blob_store.h"
#include "store/encrypted/key_cache.h"
#include "store/key_vault.h"

namespace arca::store {

enum class CreateIfMissing { kNo, kYes };

struct KeyHierarchyOptions {
  std::size_t cache_capacity = 4096;  // unwrapped tenant and patient keys kept in memory
};

class KeyHierarchy {
 public:
  // Reads the root key once and derives what it needs; the root key itself is not kept.
  // `vault` and `random` must outlive the hierarchy.
  static Result<std::unique_ptr<KeyHierarchy>> create(crypto::KeyProvider& provider,
                                                      KeyVault& vault, Random& random,
                                                      KeyHierarchyOptions options = {});

  // The opaque, PHI-free, stable reference of a patient: 64 hex characters of HMAC-SHA-256
  // under a root-derived key over the length-prefixed tenant, issuer and patient id.
  PatientRef patient_ref(const TenantId& tenant, std::string_view issuer,
                         std::string_view patient_id) const;
  // The vault id of the patient key that protects blobs of this scope.
  VaultKeyId patient_key_id(const BlobScope& scope) const;

  // The patient key (and the tenant key above it), created on first use if asked.
  // kNotFound if absent and not created; kIntegrity if a stored key does not unwrap (a wrong
  // root key or a damaged vault); kInvalidArgument for an empty tenant or malformed ref.
  Result<SecretBytes> patient_key(const BlobScope& scope, CreateIfMissing create);
  // The patient key named by a vault id (as found in a blob header); never creates.
  Result<SecretBytes> patient_key_by_id(const VaultKeyId& id);
  // Destroys the patient key: crypto-shredding. kNotFound if there is none.
  Result<void> erase_patient(const TenantId& tenant, const PatientRef& patient);

  // Use create(); the token keeps construction in this class.
  class Token {
    friend class KeyHierarchy;
    Token() = default;
  };
  KeyHierarchy(Token, SecretBytes ref_key, SecretBytes wrap_key, KeyVault& vault, Random& random,
               std::size_t cache_capacity);

 private:
  std::string tenant_hash(const TenantId& tenant) const;
  Result<SecretBytes> patient_key_in(const std::string& tenant_hash, const VaultKeyId& id,
                                     CreateIfMissing create);
  Result<SecretBytes> child_key(const VaultKeyId& id, const SecretBytes& parent,
                                CreateIfMissing create);

  SecretBytes ref_key_;   // HMAC key for tenant hashes and patient refs
  SecretBytes wrap_key_;  // wraps tenant keys
  KeyVault& vault_;
  Random& random_;
  KeyCache cache_;
};

}  // namespace arca::store
