#include "audit/record_chain.h"

#include <charconv>

#include "crypto/hash.h"

namespace arca::audit {
namespace {

void put(std::string& out, std::string_view value) {
  char digits[24];
  const auto length = std::to_chars(digits, digits + sizeof digits, value.size()).ptr;
  out.append(digits, length);
  out += ':';
  out += value;
  out += ',';
}

void put(std::string& out, std::int64_t value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  put(out, std::string_view(digits, static_cast<std::size_t>(end - digits)));
}

void put(std::string& out, const std::vector<std::string>& values) {
  put(out, static_cast<std::int64_t>(values.size()));
  for (const auto& v : values)
    put(out, v);
}

// An upper bound of canonical_bytes' size, so it is built in one allocation.
std::size_t canonical_size(const store::AuditRecord& r) {
  std::size_t n = 64;
  for (const std::string* s : {&r.actor, &r.tenant, &r.action, &r.outcome, &r.error_code, &r.detail,
                               &r.client_address, &r.user_agent, &r.request_id, &r.prev_hash})
    n += s->size() + 24;
  for (const auto* list : {&r.patients, &r.studies, &r.series, &r.instances}) {
    n += 24;
    for (const std::string& v : *list)
      n += v.size() + 24;
  }
  return n + 2 * 24;
}

template <typename Id>
std::vector<std::string> strings(const std::vector<Id>& ids) {
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (const auto& id : ids)
    out.push_back(id.str());
  return out;
}

}  // namespace

store::AuditRecord to_record(const AuditEvent& e) {
  store::AuditRecord r;
  r.time_ms = to_unix_ms(e.time);
  r.actor = e.actor;
  r.tenant = e.tenant.str();
  r.action = std::string(audit_action_name(e.action));
  r.outcome = e.outcome == Outcome::kSuccess ? "success" : "failure";
  r.error_code = e.error_code;
  r.detail = e.detail;
  r.patients = strings(e.patients);
  r.studies = strings(e.studies);
  r.series = strings(e.series);
  r.instances = strings(e.instances);
  r.client_address = e.client_address;
  r.user_agent = e.user_agent;
  r.request_id = e.request_id;
  return r;
}

std::string canonical_bytes(const store::AuditRecord& r) {
  std::string out;
  out.reserve(canonical_size(r));
  out += "arca-audit-record-v1,";
  put(out, static_cast<std::int64_t>(r.seq));
  put(out, r.time_ms);
  put(out, r.actor);
  put(out, r.tenant);
  put(out, r.action);
  put(out, r.outcome);
  put(out, r.error_code);
  put(out, r.detail);
  put(out, r.patients);
  put(out, r.studies);
  put(out, r.series);
  put(out, r.instances);
  put(out, r.client_address);
  put(out, r.user_agent);
  put(out, r.request_id);
  put(out, r.prev_hash);
  return out;
}

std::string record_hash(const store::AuditRecord& record) {
  return to_hex(crypto::sha256(as_bytes(canonical_bytes(record))));
}

void link(store::AuditRecord& record, std::uint64_t seq, std::string_view prev_hash) {
  record.seq = seq;
  record.prev_hash = std::string(prev_hash);
  record.hash = record_hash(record);
}

std::string CheckpointSigner::mac(const store::AuditCheckpoint& c) const {
  std::string message = "arca-audit-checkpoint-v1,";
  put(message, static_cast<std::int64_t>(c.seq));
  put(message, c.head_hash);
  put(message, c.time_ms);
  return to_hex(crypto::hmac_sha256(key_.reveal(), as_bytes(message)));
}

store::AuditCheckpoint CheckpointSigner::sign(std::uint64_t seq, std::string_view head_hash,
                                              std::int64_t time_ms) const {
  store::AuditCheckpoint c{seq, std::string(head_hash), time_ms, {}};
  c.mac = mac(c);
  return c;
}

bool CheckpointSigner::valid(const store::AuditCheckpoint& c) const {
  std::string expected = mac(c);
  return crypto::constant_time_equal(as_bytes(expected), as_bytes(c.mac));
}

}  // namespace arca::audit
