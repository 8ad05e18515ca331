#include "service/ingest_service.h"

#include <gtest/gtest.h>

#include <cstring>
#include <thread>

#include "service/archive_maintenance.h"
#include "service_fixture.h"

namespace arca::service {
namespace {

constexpr const char* kCtSop = "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322";

TEST_F(ServiceTest, StoresAndIndexesAnInstance) {
  Bytes ct = corpus_file("CT_small.dcm");
  auto stored = ingest_->store(operator_ctx(), ct);
  ASSERT_TRUE(stored.ok()) << stored.error().to_string();
  EXPECT_EQ(stored->status, StoreStatus::kStored);
  EXPECT_EQ(stored->instance.str(), kCtSop);
  auto row = index_->find_instance(default_tenant(), stored->instance).value();
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->size, ct.size());
  EXPECT_EQ(row->sha256, to_hex(crypto::sha256(ct)));
  EXPECT_EQ(*memory_.raw(row->blob), ct);
  ASSERT_EQ(audit_.events.size(), 1u);
  EXPECT_EQ(audit_.events[0].action, AuditAction::kStore);
  EXPECT_EQ(audit_.events[0].outcome, audit::Outcome::kSuccess);
  EXPECT_EQ(audit_.events[0].instances.at(0).str(), kCtSop);
  EXPECT_EQ(audit_.events[0].patients.at(0), row->patient_ref);
}

TEST_F(ServiceTest, SameBytesAgainIsANoOp) {
  Bytes ct = corpus_file("CT_small.dcm");
  ASSERT_TRUE(ingest_->store(operator_ctx(), ct).ok());
  auto again = ingest_->store(operator_ctx(), ct);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, StoreStatus::kDuplicate);
  EXPECT_EQ(blob_count(), 1u);
}

TEST_F(ServiceTest, DifferentBytesSameUidConflictsAndKeepsTheFirst) {
  Bytes ct = corpus_file("CT_small.dcm");
  ASSERT_TRUE(ingest_->store(operator_ctx(), ct).ok());
  Bytes changed = ct;
  changed[changed.size() - 1] ^= 0x01;  // a pixel
  auto conflict = ingest_->store(operator_ctx(), changed);
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().code, ErrorCode::kConflict);
  EXPECT_EQ(blob_count(), 1u);
  auto row = index_->find_instance(default_tenant(), InstanceUid(kCtSop)).value();
  EXPECT_EQ(*memory_.raw(row->blob), ct);
}

TEST_F(ServiceTest, ReplacePolicyReplacesAndRemovesTheOldBlob) {
  make_services(store::ConflictPolicy::kReplace);
  Bytes ct = corpus_file("CT_small.dcm");
  ASSERT_TRUE(ingest_->store(operator_ctx(), ct).ok());
  Bytes changed = ct;
  changed[changed.size() - 1] ^= 0x01;
  auto replaced = ingest_->store(operator_ctx(), changed);
  ASSERT_TRUE(replaced.ok()) << replaced.error().to_string();
  EXPECT_EQ(replaced->status, StoreStatus::kReplaced);
  EXPECT_EQ(blob_count(), 1u);
  auto row = index_->find_instance(default_tenant(), InstanceUid(kCtSop)).value();
  EXPECT_EQ(*memory_.raw(row->blob), changed);
}

TEST_F(ServiceTest, FullDiskRejectsWithoutLeavingAnything) {
  faulty_.set_space_left(1000);
  auto full = ingest_->store(operator_ctx(), corpus_file("CT_small.dcm"));
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, ErrorCode::kOutOfSpace);
  EXPECT_EQ(blob_count(), 0u);
  EXPECT_FALSE(index_->find_instance(default_tenant(), InstanceUid(kCtSop)).value().has_value());
  EXPECT_EQ(audit_.events.back().outcome, audit::Outcome::kFailure);
  EXPECT_EQ(audit_.events.back().error_code, "out_of_space");
  faulty_.set_unlimited_space();
  EXPECT_TRUE(ingest_->store(operator_ctx(), corpus_file("CT_small.dcm")).ok());
}

TEST_F(ServiceTest, FailedBlobCommitRejectsWithoutIndexRow) {
  faulty_.fail_commits(true);
  auto failed = ingest_->store(operator_ctx(), corpus_file("CT_small.dcm"));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kIo);
  EXPECT_FALSE(index_->find_instance(default_tenant(), InstanceUid(kCtSop)).value().has_value());
  EXPECT_EQ(blob_count(), 0u);
}

// The blob's sync runs beside the index commit (docs/adr/0023); when it fails the row that
// commit made is taken back: nothing is acknowledged, nothing stays visible.
TEST_F(ServiceTest, FailedBlobSyncTakesItsIndexRowBack) {
  faulty_.fail_syncs(true);
  auto failed = ingest_->store(operator_ctx(), corpus_file("CT_small.dcm"));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kIo);
  EXPECT_FALSE(index_->find_instance(default_tenant(), InstanceUid(kCtSop)).value().has_value());
  EXPECT_EQ(blob_count(), 0u);
  EXPECT_EQ(audit_.events.back().outcome, audit::Outcome::kFailure);
  EXPECT_EQ(audit_.events.back().error_code, "io");
  faulty_.fail_syncs(false);
  auto resent = ingest_->store(operator_ctx(), corpus_file("CT_small.dcm"));
  ASSERT_TRUE(resent.ok());
  EXPECT_EQ(resent->status, StoreStatus::kStored);
  EXPECT_EQ(blob_count(), 1u);
}

// A C-STORE's object written while it arrives (IngestService::begin_stream): its blob is the
// one stored when it holds exactly the object for the patient the full parse finds.
TEST_F(ServiceTest, StreamedObjectIsStoredFromItsStream) {
  const Bytes ct = corpus_file("CT_small.dcm");
  auto patient = dicom::patient_of_prefix(ct);
  ASSERT_TRUE(patient.has_value());
  auto stream = ingest_->begin_stream(operator_ctx(), *patient);
  ASSERT_TRUE(stream.ok()) << stream.error().to_string();
  for (std::size_t at = 0; at < ct.size(); at += 1000)
    ASSERT_TRUE((*stream)
                    ->write(ByteView(ct).subspan(at, std::min<std::size_t>(1000, ct.size() - at)))
                    .ok());
  const store::BlobId streamed = (*stream)->blob();
  auto stored = ingest_->store(operator_ctx(), ct, std::move(stream).value());
  ASSERT_TRUE(stored.ok()) << stored.error().to_string();
  EXPECT_EQ(stored->status, StoreStatus::kStored);
  EXPECT_EQ(blob_count(), 1u);
  auto row = index_->find_instance(default_tenant(), InstanceUid(kCtSop)).value();
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->blob, streamed);
  EXPECT_EQ(*memory_.raw(row->blob), ct);
}

TEST_F(ServiceTest, StreamThatDoesNotMatchTheObjectIsDropped) {
  const Bytes ct = corpus_file("CT_small.dcm");
  {  // another patient's key: the object is written anew under the right one
    auto stream = ingest_->begin_stream(operator_ctx(), dicom::PatientIdentity{"", "OTHER"});
    ASSERT_TRUE(stream.ok());
    ASSERT_TRUE((*stream)->write(ct).ok());
    const store::BlobId streamed = (*stream)->blob();
    ASSERT_TRUE(ingest_->store(operator_ctx(), ct, std::move(stream).value()).ok());
    EXPECT_EQ(blob_count(), 1u);
    auto row = index_->find_instance(default_tenant(), InstanceUid(kCtSop)).value();
    EXPECT_NE(row->blob, streamed);
    EXPECT_EQ(*memory_.raw(row->blob), ct);
  }
  {  // a duplicate: decided before any blob is kept
    auto stream = ingest_->begin_stream(operator_ctx(), *dicom::patient_of_prefix(ct));
    ASSERT_TRUE(stream.ok());
    ASSERT_TRUE((*stream)->write(ct).ok());
    auto again = ingest_->store(operator_ctx(), ct, std::move(stream).value());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->status, StoreStatus::kDuplicate);
    EXPECT_EQ(blob_count(), 1u);
  }
  {  // not every byte went in: not used
    Bytes other = replace_all(ct, kCtSop, std::string(kCtSop).replace(10, 1, "9"));
    auto stream = ingest_->begin_stream(operator_ctx(), *dicom::patient_of_prefix(other));
    ASSERT_TRUE(stream.ok());
    ASSERT_TRUE((*stream)->write(ByteView(other).first(other.size() / 2)).ok());
    ASSERT_TRUE(ingest_->store(operator_ctx(), other, std::move(stream).value()).ok());
    EXPECT_EQ(blob_count(), 2u);
  }
}

// Streaming costs CPU that a busy archive has not to spare: one stream at a time, and none
// while another store is under way.
TEST_F(ServiceTest, OneStreamAtATime) {
  auto first = ingest_->begin_stream(operator_ctx(), dicom::PatientIdentity{"", "A"});
  ASSERT_TRUE(first.ok());
  auto second = ingest_->begin_stream(operator_ctx(), dicom::PatientIdentity{"", "B"});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kUnavailable);
  first.value().reset();
  {
    const auto mine = ingest_->arriving();
    EXPECT_TRUE(ingest_->begin_stream(operator_ctx(), dicom::PatientIdentity{"", "B"}).ok());
    const auto another = ingest_->arriving();  // a second C-STORE arriving meanwhile
    EXPECT_EQ(ingest_->begin_stream(operator_ctx(), dicom::PatientIdentity{"", "C"}).error().code,
              ErrorCode::kUnavailable);
  }
  EXPECT_TRUE(ingest_->begin_stream(operator_ctx(), dicom::PatientIdentity{"", "D"}).ok());
  EXPECT_EQ(blob_count(), 0u);  // dropped streams leave nothing
}

TEST_F(ServiceTest, StreamNeedsStudyWrite) {
  RequestContext ctx = operator_ctx();
  ctx.principal.permissions = {Permission::kStudyQuery};
  auto stream = ingest_->begin_stream(ctx, dicom::PatientIdentity{"", "X"});
  ASSERT_FALSE(stream.ok());
  EXPECT_EQ(stream.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(blob_count(), 0u);
}

TEST_F(ServiceTest, InvalidObjectIsRejectedAndAudited) {
  Bytes junk(2000, 0x42);
  auto r = ingest_->store(operator_ctx(), junk);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidDicom);
  EXPECT_EQ(blob_count(), 0u);
  EXPECT_EQ(audit_.events.back().error_code, "invalid_dicom");
}

TEST_F(ServiceTest, PrincipalWithoutStudyWriteIsDenied) {
  RequestContext ctx = operator_ctx();
  ctx.principal.permissions = {Permission::kStudyQuery, Permission::kImageRead};
  auto r = ingest_->store(ctx, corpus_file("CT_small.dcm"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(blob_count(), 0u);
  EXPECT_EQ(audit_.events.back().outcome, audit::Outcome::kFailure);
}

TEST_F(ServiceTest, ConcurrentWritersShareIndexTransactions) {
  Bytes ct = corpus_file("CT_small.dcm");
  constexpr int kThreads = 8;
  constexpr int kEach = 25;
  std::atomic<int> stored{0};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i) {
          std::string suffix = std::to_string((t + 1) * 10000 + i);
          std::string uid = std::string(kCtSop).substr(0, std::strlen(kCtSop) - 5) + suffix;
          auto r = ingest_->store(operator_ctx(), replace_all(ct, kCtSop, uid));
          if (r.ok() && r->status == StoreStatus::kStored)
            ++stored;
        }
      });
    }
  }
  EXPECT_EQ(stored.load(), kThreads * kEach);
  EXPECT_EQ(blob_count(), static_cast<std::size_t>(kThreads * kEach));
  EXPECT_LT(ingest_->index_transactions(), static_cast<std::uint64_t>(kThreads * kEach));
}

TEST_F(ServiceTest, RacingIdenticalStoresLeaveOneBlob) {
  Bytes ct = corpus_file("CT_small.dcm");
  std::atomic<int> stored{0}, duplicate{0};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 6; ++t) {
      threads.emplace_back([&] {
        auto r = ingest_->store(operator_ctx(), ct);
        ASSERT_TRUE(r.ok());
        (r->status == StoreStatus::kStored ? stored : duplicate)++;
      });
    }
  }
  EXPECT_EQ(stored.load(), 1);
  EXPECT_EQ(duplicate.load(), 5);
  EXPECT_EQ(blob_count(), 1u);
}

TEST_F(ServiceTest, SweepRemovesOnlyUnindexedBlobs) {
  ASSERT_TRUE(ingest_->store(operator_ctx(), corpus_file("CT_small.dcm")).ok());
  auto w = memory_.create(store::BlobId("ffffffffffffffffffffffffffffffff"), {}).value();
  ASSERT_TRUE(w->write(Bytes(10, 1)).ok());
  ASSERT_TRUE(w->commit().ok());
  ASSERT_EQ(blob_count(), 2u);
  auto report = sweep_orphans(memory_, *index_, logger_).value();
  EXPECT_EQ(report.orphans_removed, 1u);
  EXPECT_EQ(blob_count(), 1u);
  auto check = check_archive(operator_ctx(), *index_, memory_, {}).value();
  EXPECT_EQ(check.checked, 1u);
  EXPECT_TRUE(check.failures.empty());
}

}  // namespace
}  // namespace arca::service

namespace arca::service {
namespace {

TEST_F(ServiceTest, AStoreThatCannotBeAuditedIsNotAcknowledged) {
  audit_.fail = true;
  auto refused = ingest_->store(operator_ctx(), corpus_file("CT_small.dcm"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  audit_.fail = false;
  auto resent = ingest_->store(operator_ctx(), corpus_file("CT_small.dcm"));
  ASSERT_TRUE(resent.ok());
  EXPECT_EQ(audit_.events.size(), 1u);
  EXPECT_EQ(audit_.events.back().outcome, audit::Outcome::kSuccess);
}

}  // namespace
}  // namespace arca::service
