#include "store/encrypted/key_hierarchy.h"

#include <algorithm>
#include <initializer_list>

#include "crypto/aead.h"
#include "crypto/hash.h"

namespace arca::store {
namespace {

constexpr std::size_t kKeySize = 32;
constexpr std::size_t kHashHex = 64;
constexpr std::string_view kTenantPrefix = "tenant:";
constexpr std::string_view kPatientPrefix = "patient:";

// lp(x1) ‖ lp(x2) ‖ … with lp(x) = uint32 big-endian length ‖ x: unambiguous for any strings.
Bytes length_prefixed(std::initializer_list<std::string_view> fields) {
  Bytes out;
  for (std::string_view f : fields) {
    auto n = static_cast<std::uint32_t>(f.size());
    for (int shift = 24; shift >= 0; shift -= 8)
      out.push_back(static_cast<std::uint8_t>(n >> shift));
    ByteView b = as_bytes(f);
    out.insert(out.end(), b.begin(), b.end());
  }
  return out;
}

bool is_hash_hex(std::string_view s) {
  return s.size() == kHashHex && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

VaultKeyId tenant_vault_id(std::string_view tenant_hash) {
  return VaultKeyId(std::string(kTenantPrefix) + std::string(tenant_hash));
}

VaultKeyId patient_vault_id(std::string_view tenant_hash, const PatientRef& patient) {
  return VaultKeyId(std::string(kPatientPrefix) + std::string(tenant_hash) + ":" + patient.str());
}

}  // namespace

Result<std::unique_ptr<KeyHierarchy>> KeyHierarchy::create(crypto::KeyProvider& provider,
                                                           KeyVault& vault, Random& random,
                                                           KeyHierarchyOptions options) {
  SecretBytes root = ARCA_TRY(provider.root_key());
  SecretBytes ref_key = ARCA_TRY(crypto::derive_key(root, crypto::KeyPurpose::kPatientRef));
  SecretBytes wrap_key = ARCA_TRY(crypto::derive_key(root, crypto::KeyPurpose::kTenantWrap));
  return std::make_unique<KeyHierarchy>(Token(), std::move(ref_key), std::move(wrap_key), vault,
                                        random, options.cache_capacity);
}

KeyHierarchy::KeyHierarchy(Token, SecretBytes ref_key, SecretBytes wrap_key, KeyVault& vault,
                           Random& random, std::size_t cache_capacity)
    : ref_key_(std::move(ref_key)),
      wrap_key_(std::move(wrap_key)),
      vault_(vault),
      random_(random),
      cache_(cache_capacity) {}

std::string KeyHierarchy::tenant_hash(const TenantId& tenant) const {
  return to_hex(crypto::hmac_sha256(ref_key_.reveal(), length_prefixed({"tenant", tenant.str()})));
}

PatientRef KeyHierarchy::patient_ref(const TenantId& tenant, std::string_view issuer,
                                     std::string_view patient_id) const {
  Bytes msg = length_prefixed({"patient", tenant.str(), issuer, patient_id});
  return PatientRef(to_hex(crypto::hmac_sha256(ref_key_.reveal(), msg)));
}

VaultKeyId KeyHierarchy::patient_key_id(const BlobScope& scope) const {
  return patient_vault_id(tenant_hash(scope.tenant), scope.patient);
}

Result<SecretBytes> KeyHierarchy::patient_key(const BlobScope& scope, CreateIfMissing create) {
  if (scope.tenant.empty() || !is_hash_hex(scope.patient.str()))
    return make_error(ErrorCode::kInvalidArgument, "key scope needs a tenant and a patient ref");
  std::string th = tenant_hash(scope.tenant);
  return patient_key_in(th, patient_vault_id(th, scope.patient), create);
}

Result<SecretBytes> KeyHierarchy::patient_key_by_id(const VaultKeyId& id) {
  std::string_view s = id.str();
  if (s.size() != kPatientPrefix.size() + 2 * kHashHex + 1 || !s.starts_with(kPatientPrefix) ||
      s[kPatientPrefix.size() + kHashHex] != ':')
    return make_error(ErrorCode::kIntegrity, "malformed patient key id");
  std::string th(s.substr(kPatientPrefix.size(), kHashHex));
  if (!is_hash_hex(th) || !is_hash_hex(s.substr(s.size() - kHashHex)))
    return make_error(ErrorCode::kIntegrity, "malformed patient key id");
  return patient_key_in(th, id, CreateIfMissing::kNo);
}

Result<SecretBytes> KeyHierarchy::patient_key_in(const std::string& tenant_hash,
                                                 const VaultKeyId& id, CreateIfMissing create) {
  if (auto cached = cache_.get(id))
    return std::move(*cached);
  SecretBytes tenant_key = ARCA_TRY(child_key(tenant_vault_id(tenant_hash), wrap_key_, create));
  return child_key(id, tenant_key, create);
}

Result<SecretBytes> KeyHierarchy::child_key(const VaultKeyId& id, const SecretBytes& parent,
                                            CreateIfMissing create) {
  const std::uint64_t generation = cache_.generation();
  if (auto cached = cache_.get(id))
    return std::move(*cached);
  const ByteView context = as_bytes(id.str());
  std::optional<Bytes> stored = ARCA_TRY(vault_.get(id));
  if (!stored) {
    if (create == CreateIfMissing::kNo)
      return make_error(ErrorCode::kNotFound, "key not in vault");
    SecretBytes fresh(random_.bytes(kKeySize));
    Bytes wrapped = ARCA_TRY(crypto::wrap_key(parent, fresh, context, random_));
    // A racing creator may have won: use whatever the vault kept.
    stored = ARCA_TRY(vault_.put_if_absent(id, wrapped));
  }
  auto key = crypto::unwrap_key(parent, *stored, context);
  if (!key.ok())
    return make_error(ErrorCode::kIntegrity,
                      "vault key does not unwrap (wrong root key or damaged vault)");
  cache_.put(id, *key, generation);
  return std::move(key).take();
}

Result<void> KeyHierarchy::erase_patient(const TenantId& tenant, const PatientRef& patient) {
  if (tenant.empty() || !is_hash_hex(patient.str()))
    return make_error(ErrorCode::kInvalidArgument, "erase needs a tenant and a patient ref");
  const VaultKeyId id = patient_key_id(BlobScope{tenant, patient});
  auto destroyed = vault_.destroy(id);
  // Drop the cached copy even if the vault failed, so this process stops using it.
  cache_.erase(id);
  return destroyed;
}

}  // namespace arca::store
