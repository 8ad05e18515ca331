#include "service/retrieve_service.h"

#include <gtest/gtest.h>

#include "service/archive_maintenance.h"
#include "service/audited_transfer.h"
#include "service/retrieve_destination.h"
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

TEST_F(RetrieveTest, OpenPlannedChecksThePrincipalAgainAndIsAuditedOnce) {
  const auto& [outcome, bytes] = stored_[0];
  RetrieveScope scope;
  scope.level = RetrieveLevel::kInstance;
  scope.instances = {outcome.instance};
  auto plan = retrieve_->plan(operator_ctx(), scope).value();
  audit_.events.clear();
  auto opened = retrieve_->open_planned(operator_ctx(), plan, 0);
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  EXPECT_EQ(opened->reader->size(), bytes.size());
  ASSERT_EQ(audit_.events.size(), 1u);
  EXPECT_EQ(audit_.events[0].action, AuditAction::kRetrieve);
  EXPECT_EQ(audit_.events[0].instances, std::vector<InstanceUid>{outcome.instance});
  EXPECT_EQ(audit_.events[0].studies, std::vector<StudyUid>{outcome.study});

  RequestContext other_tenant = operator_ctx();
  other_tenant.principal.tenant = TenantId("other");
  EXPECT_EQ(retrieve_->open_planned(other_tenant, plan, 0).error().code, ErrorCode::kNotFound);
  RequestContext other_studies = operator_ctx();
  other_studies.principal.study_scope = std::set<std::string>{"1.2.3"};
  EXPECT_EQ(retrieve_->open_planned(other_studies, plan, 0).error().code, ErrorCode::kNotFound);
  RequestContext no_image_read = operator_ctx();
  no_image_read.principal.permissions = {Permission::kStudyQuery};
  EXPECT_EQ(retrieve_->open_planned(no_image_read, plan, 0).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(audit_.events.back().outcome, audit::Outcome::kFailure);
  EXPECT_EQ(retrieve_->open_planned(operator_ctx(), plan, 1).error().code,
            ErrorCode::kInvalidArgument);
  audit_.fail = true;
  EXPECT_EQ(retrieve_->open_planned(operator_ctx(), plan, 0).error().code, ErrorCode::kUnavailable);
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

RetrieveScope study_scope(const StudyUid& study) {
  RetrieveScope scope;
  scope.studies.push_back(study);
  return scope;
}

TEST_F(RetrieveTest, PlanRequiresImageReadAndIsAudited) {
  RequestContext ctx = operator_ctx();
  ctx.principal.permissions = {Permission::kStudyQuery};
  auto plan = retrieve_->plan(ctx, study_scope(stored_[0].first.study));
  EXPECT_EQ(plan.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(audit_.events.back().action, AuditAction::kRetrieve);
  EXPECT_EQ(audit_.events.back().outcome, audit::Outcome::kFailure);
}

TEST_F(RetrieveTest, PlanStaysInsideTheTenant) {
  RequestContext ctx = operator_ctx();
  ctx.principal.tenant = TenantId("other");
  auto plan = retrieve_->plan(ctx, study_scope(stored_[0].first.study)).value();
  EXPECT_TRUE(plan.instances().empty());
  RetrieveScope scope;
  scope.level = RetrieveLevel::kInstance;
  scope.instances = {stored_[0].first.instance};
  EXPECT_TRUE(retrieve_->plan(ctx, scope).value().instances().empty());
}

TEST_F(RetrieveTest, PlanAtSeriesAndInstanceLevel) {
  const StoreOutcome& mr = stored_[1].first;
  auto row = index_->find_instance(default_tenant(), mr.instance).value();
  RetrieveScope scope = study_scope(mr.study);
  scope.level = RetrieveLevel::kSeries;
  scope.series = {row->attributes.series.series_uid};
  auto plan = retrieve_->plan(operator_ctx(), scope).value();
  ASSERT_EQ(plan.instances().size(), 1u);
  EXPECT_EQ(plan.instances()[0].attributes.instance.sop_instance_uid, mr.instance);
  scope.studies.clear();
  EXPECT_EQ(retrieve_->plan(operator_ctx(), scope).error().code, ErrorCode::kInvalidArgument);
  scope.level = RetrieveLevel::kInstance;
  scope.instances = {mr.instance, stored_[0].first.instance, InstanceUid("1.2.3")};
  EXPECT_EQ(retrieve_->plan(operator_ctx(), scope).value().instances().size(), 2u);
}

TEST_F(RetrieveTest, PlanAtPatientLevelTakesEveryStudyOfThePatientInTheTenant) {
  RetrieveScope scope;
  scope.level = RetrieveLevel::kPatient;
  EXPECT_EQ(retrieve_->plan(operator_ctx(), scope).error().code, ErrorCode::kInvalidArgument);
  scope.patients = {PatientId("4MR1")};  // MR_small's patient
  auto plan = retrieve_->plan(operator_ctx(), scope).value();
  ASSERT_EQ(plan.instances().size(), 1u);
  EXPECT_EQ(plan.instances()[0].attributes.instance.sop_instance_uid, stored_[1].first.instance);
  scope.patients = {PatientId("4MR1"), PatientId("1CT1")};  // and CT_small's
  EXPECT_EQ(retrieve_->plan(operator_ctx(), scope).value().instances().size(), 2u);
  scope.patients = {PatientId("4MR*")};  // a unique key: no wildcard matching
  EXPECT_TRUE(retrieve_->plan(operator_ctx(), scope).value().instances().empty());
  RequestContext other = operator_ctx();
  other.principal.tenant = TenantId("other");
  scope.patients = {PatientId("4MR1")};
  EXPECT_TRUE(retrieve_->plan(other, scope).value().instances().empty());
}

TEST_F(RetrieveTest, DeliverVisitsEveryInstanceAndAuditsFailures) {
  RetrieveScope scope;
  scope.level = RetrieveLevel::kInstance;
  scope.instances = {stored_[0].first.instance, stored_[1].first.instance};
  auto plan = retrieve_->plan(operator_ctx(), scope).value();
  std::vector<std::size_t> remaining;
  auto report = retrieve_->deliver(operator_ctx(), plan, [&](const RetrieveItem& item) {
    remaining.push_back(item.remaining);
    Bytes bytes = read_all(item.source, 1 << 30).value();
    EXPECT_EQ(bytes.size(), item.record.size);
    if (item.remaining == 0)
      return Result<void>(make_error(ErrorCode::kUnavailable, "peer refused"));
    return ok();
  });
  EXPECT_EQ(remaining, (std::vector<std::size_t>{1, 0}));
  EXPECT_EQ(report.exported, 1u);
  ASSERT_EQ(report.failures.size(), 1u);
  const audit::AuditEvent& event = audit_.events.back();
  EXPECT_EQ(event.action, AuditAction::kRetrieve);
  EXPECT_EQ(event.outcome, audit::Outcome::kFailure);
  EXPECT_EQ(event.studies.size(), 2u);
  EXPECT_EQ(event.instances.size(), 2u);
}

class FakePeers final : public store::PeerDirectory {
 public:
  Result<std::optional<store::Peer>> find_peer(std::string_view ae) override {
    for (const auto& p : peers)
      if (p.ae_title == ae)
        return std::optional<store::Peer>(p);
    return std::optional<store::Peer>();
  }
  Result<std::vector<store::Peer>> list_peers() override { return peers; }
  std::vector<store::Peer> peers;
};

TEST(RetrieveDestinationTest, OnlyReceivingPeersOfTheSameTenant) {
  FakePeers peers;
  auto peer = [](std::string ae, std::string tenant, std::set<store::PeerOperation> ops) {
    store::Peer p;
    p.ae_title = std::move(ae);
    p.host = "127.0.0.1";
    p.tenant = TenantId(std::move(tenant));
    p.allowed = std::move(ops);
    return p;
  };
  peers.peers = {peer("DEST", "default", {store::PeerOperation::kReceive}),
                 peer("STOREONLY", "default", {store::PeerOperation::kStore}),
                 peer("BDEST", "b", {store::PeerOperation::kReceive})};
  RequestContext ctx{Principal::local_operator(default_tenant()), "test", "req"};
  EXPECT_EQ(retrieve_destination(peers, ctx, "DEST").value().ae_title, "DEST");
  for (const char* ae : {"STOREONLY", "BDEST", "NOBODY"})
    EXPECT_EQ(retrieve_destination(peers, ctx, ae).error().code, ErrorCode::kNotFound) << ae;
}

}  // namespace
}  // namespace arca::service

namespace arca::service {
namespace {

TEST_F(RetrieveTest, AReadThatCannotBeAuditedIsRefused) {
  audit_.fail = true;
  auto r = retrieve_->open_instance(operator_ctx(), stored_[0].first.instance);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(retrieve_->read_range(operator_ctx(), stored_[0].first.instance, 0, 4).ok());
}

}  // namespace
}  // namespace arca::service

namespace arca::service {
namespace {

TEST_F(RetrieveTest, ATransferIsRecordedBeforeItsFirstObjectLeaves) {
  RetrieveScope scope;
  scope.level = RetrieveLevel::kInstance;
  scope.instances = {stored_[0].first.instance, stored_[1].first.instance};
  auto plan = retrieve_->plan(operator_ctx(), scope).value();
  std::size_t events_before = audit_.events.size();
  auto report = retrieve_->deliver(operator_ctx(), plan, [&](const RetrieveItem&) {
    EXPECT_EQ(audit_.events.size(), events_before + 1);  // transfer_begin is already recorded
    return ok();
  });
  EXPECT_EQ(report.exported, 2u);
  ASSERT_EQ(audit_.events.size(), events_before + 2);
  EXPECT_EQ(audit_.events[events_before].action, AuditAction::kTransferBegin);
  EXPECT_EQ(audit_.events[events_before].instances.size(), 2u);
  EXPECT_EQ(audit_.events.back().action, AuditAction::kRetrieve);
}

TEST_F(RetrieveTest, NothingLeavesWhenTheTransferCannotBeAudited) {
  RetrieveScope scope;
  scope.level = RetrieveLevel::kInstance;
  scope.instances = {stored_[0].first.instance};
  auto plan = retrieve_->plan(operator_ctx(), scope).value();
  audit_.fail = true;
  bool visited = false;
  auto report = retrieve_->deliver(operator_ctx(), plan, [&](const RetrieveItem&) {
    visited = true;
    return ok();
  });
  EXPECT_FALSE(visited);
  EXPECT_EQ(report.exported, 0u);
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.failures[0].error.code, ErrorCode::kUnavailable);
  auto exported =
      retrieve_->export_study(operator_ctx(), stored_[0].first.study,
                              [&](const store::StoredInstance&, ByteSource&) -> Result<void> {
                                visited = true;
                                return ok();
                              });
  EXPECT_FALSE(visited);
  EXPECT_EQ(exported.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace arca::service

namespace arca::service {
namespace {

class AuditedTransferTest : public ServiceTest {
 protected:
  // Stores CT_small twice under two SOP Instance UIDs: one study of two instances.
  StudyUid store_two_instance_study() {
    Bytes ct = corpus_file("CT_small.dcm");
    auto first = ingest_->store(operator_ctx(), ct).value();
    std::string uid = first.instance.str();
    uid.back() = uid.back() == '9' ? '8' : '9';
    EXPECT_TRUE(ingest_->store(operator_ctx(), replace_all(ct, first.instance.str(), uid)).ok());
    return first.study;
  }
};

TEST_F(AuditedTransferTest, AStreamedStudyIsAuditedOnceBeforeAndOnceAfter) {
  const StudyUid study = store_two_instance_study();
  RetrieveScope scope;
  scope.studies.push_back(study);
  auto plan = retrieve_->plan(operator_ctx(), scope).value();
  const std::size_t before = audit_.events.size();
  {
    auto stream = retrieve_->stream(operator_ctx(), std::move(plan)).value();
    ASSERT_EQ(audit_.events.size(), before + 1);
    EXPECT_EQ(audit_.events.back().action, AuditAction::kTransferBegin);
    EXPECT_EQ(audit_.events.back().instances.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
      auto opened = stream->open(i).value();
      store::BlobSource source(*opened.reader);
      EXPECT_EQ(read_all(source, 1 << 20).value().size(), opened.record.size);
    }
    EXPECT_EQ(audit_.events.size(), before + 1);  // no record per instance
  }
  ASSERT_EQ(audit_.events.size(), before + 2);
  const audit::AuditEvent& done = audit_.events.back();
  EXPECT_EQ(done.action, AuditAction::kRetrieve);
  EXPECT_EQ(done.outcome, audit::Outcome::kSuccess);
  EXPECT_EQ(done.instances.size(), 2u);
  EXPECT_EQ(done.studies, std::vector<StudyUid>{study});
}

// The two closings of one type: a stream the client left after one of two instances is a
// successful retrieve of that one, saying what was not sent; an export left before its first
// instance is a failed ("interrupted") export that still names the study.
TEST_F(AuditedTransferTest, EachClosingActionKeepsItsOwnRecordWhenTheClientLeaves) {
  const StudyUid study = store_two_instance_study();
  RetrieveScope scope;
  scope.studies.push_back(study);
  {
    auto stream =
        retrieve_->stream(operator_ctx(), retrieve_->plan(operator_ctx(), scope).value()).value();
    ASSERT_TRUE(stream->open(0).ok());
  }
  const audit::AuditEvent& retrieved = audit_.events.back();
  EXPECT_EQ(retrieved.action, AuditAction::kRetrieve);
  EXPECT_EQ(retrieved.outcome, audit::Outcome::kSuccess);
  EXPECT_EQ(retrieved.instances.size(), 1u);
  EXPECT_EQ(retrieved.studies, std::vector<StudyUid>{study});
  EXPECT_EQ(retrieved.detail, "0 failed, 1 not sent of 2");
  { auto exporting = retrieve_->open_export(operator_ctx(), study).value(); }
  const audit::AuditEvent& exported = audit_.events.back();
  EXPECT_EQ(exported.action, AuditAction::kExport);
  EXPECT_EQ(exported.outcome, audit::Outcome::kFailure);
  EXPECT_EQ(exported.error_code, "unavailable");
  EXPECT_TRUE(exported.instances.empty());
  EXPECT_EQ(exported.studies, std::vector<StudyUid>{study});
  EXPECT_TRUE(exported.detail.empty());
}

TEST_F(AuditedTransferTest, NothingIsOpenedWhenTheTransferCannotBeAudited) {
  auto stored = ingest_->store(operator_ctx(), corpus_file("CT_small.dcm")).value();
  RetrieveScope scope;
  scope.studies.push_back(stored.study);
  auto plan = retrieve_->plan(operator_ctx(), scope).value();
  audit_.fail = true;
  auto stream = retrieve_->stream(operator_ctx(), std::move(plan));
  EXPECT_EQ(stream.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace arca::service
