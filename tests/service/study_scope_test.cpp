// A principal with a study scope (a referring physician's granted studies) sees and reads only
// those studies, through every use case, and studies outside the scope look like missing ones.
#include <gtest/gtest.h>

#include "service/query_service.h"
#include "service_fixture.h"

namespace arca::service {
namespace {

class StudyScopeTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    query_ = std::make_unique<QueryService>(QueryDeps{*index_, audit_, clock_, logger_});
    for (const char* f : {"CT_small.dcm", "MR_small.dcm"}) {
      auto r = ingest_->store(operator_ctx(), corpus_file(f));
      ASSERT_TRUE(r.ok()) << f << ": " << r.error().to_string();
      stored_.push_back(*r);
    }
  }

  StudyUid study_of(std::size_t i) { return stored_[i].study; }

  RequestContext scoped(std::set<std::string> studies) const {
    Principal p;
    p.kind = Principal::Kind::kUser;
    p.id = "user:7";
    p.tenant = default_tenant();
    p.permissions = {Permission::kStudyQuery, Permission::kImageRead, Permission::kStudyExport};
    p.study_scope = std::move(studies);
    return {p, "127.0.0.1:1", "req-s"};
  }

  std::unique_ptr<QueryService> query_;
  std::vector<StoreOutcome> stored_;
};

TEST_F(StudyScopeTest, QueriesSeeOnlyScopedStudiesAtEveryLevel) {
  auto ctx = scoped({study_of(0).str()});
  for (QueryLevel level : {QueryLevel::kStudy, QueryLevel::kSeries, QueryLevel::kInstance}) {
    Query q;
    q.level = level;
    auto rows = query_->query(ctx, q);
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ(rows->front().attributes.study.study_uid, study_of(0));
  }
  Query patients;
  patients.level = QueryLevel::kPatient;
  EXPECT_TRUE(query_->query(ctx, patients)->empty());
  Query any;
  EXPECT_TRUE(query_->query(scoped({}), any)->empty());
}

TEST_F(StudyScopeTest, RetrieveOutsideTheScopeIsNotFound) {
  auto ctx = scoped({study_of(0).str()});
  const InstanceUid& inside = stored_[0].instance;
  const InstanceUid& outside = stored_[1].instance;
  EXPECT_TRUE(retrieve_->open_instance(ctx, inside).ok());
  auto denied = retrieve_->open_instance(ctx, outside);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::kNotFound);

  RetrieveScope both;
  both.level = RetrieveLevel::kStudy;
  both.studies = {study_of(0), study_of(1)};
  auto plan = retrieve_->plan(ctx, both);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->instances().size(), 1u);
  EXPECT_EQ(plan->instances().front().attributes.study.study_uid, study_of(0));

  auto exported = retrieve_->export_study(
      ctx, study_of(1), [](const store::StoredInstance&, ByteSource&) { return ok(); });
  ASSERT_FALSE(exported.ok());
  EXPECT_EQ(exported.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace arca::service
