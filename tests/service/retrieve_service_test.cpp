#include "service/retrieve_service.h"

#include <gtest/gtest.h>

#include "service/archive_maintenance.h"
#include "service_fixture.h"

namespace arca::service {
namespace {

class RetrieveTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    for (const char* f : {"CT_small.dcm", "MR_small.dcm", "JPEG2000.dcm"}) {
      Bytes b = corpus_file(f);
      auto r = ingest_->store(operator_ctx(), b);
      ASSERT_TRUE(r.ok()) << f << ": " << r.error().to_string();
      stored_.push_back({r.value(), b});
    }
  }
  std::vector<std::pair<StoreOutcome, Bytes>> stored_;
};

TEST_F(RetrieveTest, ReadsWholeInstancesAndRanges) {
  const auto& [outcome, bytes] = stored_[0];
  auto opened = retrieve_->open_instance(operator_ctx(), outcome.instance);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->reader->size(), bytes.size());
  auto range = retrieve_->read_range(operator_ctx(), outcome.instance, 128, 4).value();
  EXPECT_EQ(std::string(range.begin(), range.end()), "DICM");
  auto tail = retrieve_->read_range(operator_ctx(), outcome.instance, bytes.size() - 3, 100);
  EXPECT_EQ(tail.value().size(), 3u);
  EXPECT_EQ(audit_.events.back().action, AuditAction::kRetrieve);
}

TEST_F(RetrieveTest, UnknownInstanceIsNotFound) {
  auto r = retrieve_->open_instance(operator_ctx(), InstanceUid("1.2.3"));
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
}

TEST_F(RetrieveTest, ReadingRequiresImageRead) {
  RequestContext ctx = operator_ctx();
  ctx.principal.permissions = {Permission::kStudyQuery};
  auto r = retrieve_->open_instance(ctx, stored_[0].first.instance);
  EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(audit_.events.back().outcome, audit::Outcome::kFailure);
}

TEST_F(RetrieveTest, ExportIsByteIdenticalAndReportsDamagePerInstance) {
  const auto& [outcome, bytes] = stored_[0];
  std::map<std::string, Bytes> out;
  auto visit = [&](const store::StoredInstance& row, ByteSource& src) -> Result<void> {
    out[row.attributes.instance.sop_instance_uid.str()] = ARCA_TRY(read_all(src, 1 << 30));
    return ok();
  };
  auto report = retrieve_->export_study(operator_ctx(), outcome.study, visit).value();
  EXPECT_EQ(report.exported, 1u);
  EXPECT_EQ(out.at(outcome.instance.str()), bytes);

  auto row = index_->find_instance(default_tenant(), outcome.instance).value();
  (*memory_.raw(row->blob))[500] ^= 0x10;
  out.clear();
  report = retrieve_->export_study(operator_ctx(), outcome.study, visit).value();
  EXPECT_EQ(report.exported, 0u);
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.failures[0].error.code, ErrorCode::kIntegrity);

  auto check = check_archive(operator_ctx(), *index_, memory_, {}).value();
  EXPECT_EQ(check.checked, 3u);
  ASSERT_EQ(check.failures.size(), 1u);
  EXPECT_EQ(check.failures[0].instance, outcome.instance);
}

TEST_F(RetrieveTest, ExportOfUnknownStudyIsNotFound) {
  auto r = retrieve_->export_study(operator_ctx(), StudyUid("1.2.3"),
                                   [](const store::StoredInstance&, ByteSource&) { return ok(); });
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace arca::service
