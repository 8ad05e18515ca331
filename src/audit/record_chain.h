// The hash chain and its signed checkpoints (DESIGN §6), shared by the recorder that builds the
// chain and the verifier that walks it.
//
// A record's canonical bytes are a fixed header ("arca-audit-record-v1") followed by every field
// except `hash`, in declaration order, each as <decimal byte length> ':' <bytes> ','; list
// fields as their element count then each element the same way. So no two different records
// share canonical bytes. hash = SHA-256(canonical bytes); prev_hash is the previous record's
// hash (64 zeros for seq 1). A checkpoint's MAC is HMAC-SHA-256 under the audit MAC key
// (KeyPurpose::kAuditMac) of "arca-audit-checkpoint-v1" ‖ seq ‖ head_hash ‖ time_ms, encoded the
// same way.
// Thread-safety: free functions are thread-safe; CheckpointSigner is immutable.
#pragma once

#include <string>

#include "audit/event.h"
#include "core/secret.h"
#include "store/audit_log.h"

namespace arca::audit {

inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// The event as a record, without seq and hashes.
store::AuditRecord to_record(const AuditEvent& event);
std::string canonical_bytes(const store::AuditRecord& record);
// Lower-case hex SHA-256 of canonical_bytes(record).
std::string record_hash(const store::AuditRecord& record);
// Sets seq and prev_hash, then hash.
void link(store::AuditRecord& record, std::uint64_t seq, std::string_view prev_hash);

class CheckpointSigner {
 public:
  explicit CheckpointSigner(SecretBytes key) : key_(std::move(key)) {}
  CheckpointSigner clone() const { return CheckpointSigner(key_.clone()); }
  store::AuditCheckpoint sign(std::uint64_t seq, std::string_view head_hash,
                              std::int64_t time_ms) const;
  // True if the checkpoint's MAC is this key's MAC of its fields (constant-time compare).
  bool valid(const store::AuditCheckpoint& checkpoint) const;

 private:
  std::string mac(const store::AuditCheckpoint& checkpoint) const;
  SecretBytes key_;
};

}  // namespace arca::audit
