#include "audit/record_chain.h"

#include <gtest/gtest.h>

#include "audit_fixture.h"

namespace arca::audit {
namespace {

TEST(RecordChain, EventBecomesRecordWithoutPhiFields) {
  auto r = to_record(test::event(5));
  EXPECT_EQ(r.time_ms, 1'700'000'000'005);
  EXPECT_EQ(r.actor, "ae:CT2");
  EXPECT_EQ(r.action, "store");
  EXPECT_EQ(r.outcome, "success");
  EXPECT_EQ(r.patients, std::vector<std::string>{"cafe5"});
  EXPECT_EQ(r.instances, std::vector<std::string>{"1.2.3.4.5"});
}

TEST(RecordChain, EveryFieldIsCoveredByTheHash) {
  auto base = to_record(test::event(1));
  link(base, 1, kGenesisHash);
  std::vector<std::function<void(store::AuditRecord&)>> edits = {
      [](auto& r) { r.seq = 2; },
      [](auto& r) { ++r.time_ms; },
      [](auto& r) { r.actor = "user:1"; },
      [](auto& r) { r.tenant = "other"; },
      [](auto& r) { r.action = "retrieve"; },
      [](auto& r) { r.outcome = "failure"; },
      [](auto& r) { r.error_code = "io"; },
      [](auto& r) { r.detail = "x"; },
      [](auto& r) { r.patients.clear(); },
      [](auto& r) { r.studies.push_back("1"); },
      [](auto& r) { r.series.push_back("1"); },
      [](auto& r) { r.instances[0] += "1"; },
      [](auto& r) { r.client_address = "x"; },
      [](auto& r) { r.user_agent = "x"; },
      [](auto& r) { r.request_id = "x"; },
      [](auto& r) { r.prev_hash[0] = '1'; },
  };
  for (std::size_t i = 0; i < edits.size(); ++i) {
    auto r = base;
    edits[i](r);
    EXPECT_NE(record_hash(r), base.hash) << "edit " << i;
  }
}

// The canonical bytes and hash of docs/formats/audit-chain.md, computed outside Arca (Python's
// hashlib): a faster encoder must produce the same bytes, or every existing chain would break.
TEST(RecordChain, CanonicalBytesAndHashFollowTheFormat) {
  store::AuditRecord r;
  r.seq = 12345678901;
  r.time_ms = -5;
  r.actor = "user:42";
  r.tenant = "default";
  r.action = "retrieve";
  r.outcome = "failure";
  r.error_code = "io";
  r.detail = "3 failed";
  r.patients = {"p1"};
  r.studies = {"1.2", "3"};
  r.instances = {"1.2.3.4"};
  r.client_address = "127.0.0.1:5";
  r.request_id = "r9";
  r.prev_hash = std::string(kGenesisHash);
  EXPECT_EQ(canonical_bytes(r),
            "arca-audit-record-v1,11:12345678901,2:-5,7:user:42,7:default,8:retrieve,7:failure,"
            "2:io,8:3 failed,1:1,2:p1,1:2,3:1.2,1:3,1:0,1:1,7:1.2.3.4,11:127.0.0.1:5,0:,2:r9,64:" +
                std::string(kGenesisHash) + ",");
  EXPECT_EQ(record_hash(r), "4fdb8ff3a2d69a79221e88566d78b36ad31d97896f8695b6bdf36f4c0eb24563");
}

TEST(RecordChain, FieldBoundariesAreUnambiguous) {
  auto a = to_record(test::event(1));
  auto b = a;
  a.actor = "ab";
  a.tenant = "c";
  b.actor = "a";
  b.tenant = "bc";
  EXPECT_NE(record_hash(a), record_hash(b));
  a.studies = {"1.2", "3"};
  b = a;
  b.studies = {"1.23"};
  EXPECT_NE(record_hash(a), record_hash(b));
}

TEST(RecordChain, CheckpointsVerifyOnlyUnderTheirKey) {
  CheckpointSigner signer(test::mac_key());
  auto c = signer.sign(7, std::string(64, 'a'), 123);
  EXPECT_TRUE(signer.valid(c));
  auto forged = c;
  forged.seq = 8;
  EXPECT_FALSE(signer.valid(forged));
  CheckpointSigner other(SecretBytes(Bytes(32, 1)));
  EXPECT_FALSE(other.valid(c));
}

}  // namespace
}  // namespace arca::audit
