// DeleteService over the real ingest stack, and the pull-style export behind zip downloads
// (RetrieveService::open_export / AuditedTransfer): what is removed, what is audited, who may, and
// that deleting while the same study is being stored never leaves a row without its blob or a
// blob without its row.
#include "service/delete_service.h"

#include <gtest/gtest.h>

#include <thread>

#include "service/audited_transfer.h"
#include "service_fixture.h"

namespace arca::service {
namespace {

class DeleteTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    deletion_ =
        std::make_unique<DeleteService>(DeleteDeps{faulty_, *index_, audit_, clock_, logger_});
    for (const char* f : {"CT_small.dcm", "MR_small.dcm"}) {
      Bytes b = corpus_file(f);
      auto r = ingest_->store(operator_ctx(), b);
      ASSERT_TRUE(r.ok()) << f << ": " << r.error().to_string();
      stored_.push_back({r.value(), b});
    }
  }

  std::size_t studies() {
    return index_->query(default_tenant(), Query{QueryLevel::kStudy, {}, 0, 0})->size();
  }

  std::unique_ptr<DeleteService> deletion_;
  std::vector<std::pair<StoreOutcome, Bytes>> stored_;
};

TEST_F(DeleteTest, RemovesRowsAndBlobsAndAuditsWithThePatientHash) {
  const StoreOutcome& ct = stored_[0].first;
  auto row = index_->find_instance(default_tenant(), ct.instance).value();
  ASSERT_TRUE(row);
  auto report = deletion_->delete_study(operator_ctx(), ct.study);
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  EXPECT_EQ(report->instances, 1u);
  EXPECT_EQ(report->series, 1u);
  EXPECT_EQ(report->blobs_left, 0u);
  EXPECT_EQ(blob_count(), 1u);
  EXPECT_FALSE(memory_.raw(row->blob));
  EXPECT_EQ(studies(), 1u);
  const audit::AuditEvent& e = audit_.events.back();
  EXPECT_EQ(e.action, AuditAction::kDelete);
  EXPECT_EQ(e.outcome, audit::Outcome::kSuccess);
  EXPECT_EQ(e.studies, std::vector<StudyUid>{ct.study});
  EXPECT_EQ(e.instances, std::vector<InstanceUid>{ct.instance});
  EXPECT_EQ(e.patients, std::vector<PatientRef>{row->patient_ref});

  auto again = deletion_->delete_study(operator_ctx(), ct.study);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(audit_.events.back().outcome, audit::Outcome::kFailure);
}

TEST_F(DeleteTest, NeedsStudyDeleteAndTheStudyInScope) {
  RequestContext ctx = operator_ctx();
  ctx.principal.permissions.erase(Permission::kStudyDelete);
  auto r = deletion_->delete_study(ctx, stored_[0].first.study);
  EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
  ctx = operator_ctx();
  ctx.principal.study_scope = std::set<std::string>{stored_[1].first.study.str()};
  r = deletion_->delete_study(ctx, stored_[0].first.study);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound) << "outside the scope looks like absent";
  EXPECT_EQ(studies(), 2u);
  EXPECT_EQ(blob_count(), 2u);
}

TEST_F(DeleteTest, AnUnauditableDeleteIsReportedButDone) {
  audit_.fail = true;
  auto r = deletion_->delete_study(operator_ctx(), stored_[0].first.study);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(studies(), 1u);
}

TEST_F(DeleteTest, DeletingWhileTheSameStudyIsStoredLeavesNothingDangling) {
  const auto& [ct, bytes] = stored_[0];
  const std::string uid = ct.instance.str();
  std::atomic<int> failed_stores{0};
  std::vector<std::jthread> writers;
  for (int w = 0; w < 3; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < 20; ++i) {
        std::string variant = uid.substr(0, uid.size() - 3) + std::to_string(100 + w * 20 + i);
        if (!ingest_->store(operator_ctx(), replace_all(bytes, uid, variant)).ok())
          ++failed_stores;
      }
    });
  }
  int deletes = 0;
  for (int i = 0; i < 30; ++i) {
    auto r = deletion_->delete_study(operator_ctx(), ct.study);
    if (r.ok())
      ++deletes;
    else
      EXPECT_EQ(r.error().code, ErrorCode::kNotFound) << r.error().to_string();
  }
  writers.clear();
  EXPECT_EQ(failed_stores, 0);
  EXPECT_GT(deletes, 0);
  // Every indexed instance has its blob, and every blob is indexed.
  std::size_t indexed = 0;
  ASSERT_TRUE(index_
                  ->for_each_instance([&](const store::StoredInstance& row) -> Result<void> {
                    ++indexed;
                    EXPECT_TRUE(memory_.raw(row.blob)) << row.attributes.instance.sop_instance_uid;
                    return ok();
                  })
                  .ok());
  EXPECT_EQ(blob_count(), indexed);
  auto left = index_->study_instances(default_tenant(), ct.study).value();
  auto rows = index_->query(default_tenant(), Query{QueryLevel::kStudy, {}, 0, 0}).value();
  for (const auto& r : rows) {
    if (r.attributes.study.study_uid == ct.study) {
      EXPECT_EQ(static_cast<std::size_t>(r.study_related_instances), left.size());
    }
  }
}

TEST_F(DeleteTest, AStreamedExportIsAuditedWhenDoneAndWhenAbandoned) {
  const auto& [ct, bytes] = stored_[0];
  {
    auto exporting = retrieve_->open_export(operator_ctx(), ct.study);
    ASSERT_TRUE(exporting.ok()) << exporting.error().to_string();
    EXPECT_EQ(audit_.events.back().action, AuditAction::kTransferBegin);
    ASSERT_EQ((*exporting)->instances().size(), 1u);
    auto source = (*exporting)->open_verified(0);
    ASSERT_TRUE(source.ok());
    EXPECT_EQ(read_all(**source, 1 << 30).value(), bytes);
    ASSERT_TRUE((*exporting)->finish(ok()).ok());
    EXPECT_EQ(audit_.events.back().action, AuditAction::kExport);
    EXPECT_EQ(audit_.events.back().outcome, audit::Outcome::kSuccess);
    EXPECT_EQ(audit_.events.back().instances, std::vector<InstanceUid>{ct.instance});
    std::size_t events = audit_.events.size();
    ASSERT_TRUE((*exporting)->finish(make_error(ErrorCode::kIo, "late")).ok());
    EXPECT_EQ(audit_.events.size(), events) << "the export is recorded once";
  }
  {
    auto exporting = retrieve_->open_export(operator_ctx(), ct.study).value();
    (void)exporting->open_verified(0);
  }  // the client went away
  EXPECT_EQ(audit_.events.back().action, AuditAction::kExport);
  EXPECT_EQ(audit_.events.back().outcome, audit::Outcome::kFailure);
  RequestContext reader = operator_ctx();
  reader.principal.permissions = {Permission::kStudyQuery, Permission::kImageRead};
  auto refused = retrieve_->open_export(reader, ct.study);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied) << "a download is an export";
}

}  // namespace
}  // namespace arca::service
