#include "service/query_service.h"

#include <gtest/gtest.h>

#include "service_fixture.h"

namespace arca::service {
namespace {

class QueryServiceTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    query_ = std::make_unique<QueryService>(QueryDeps{*index_, audit_, clock_, logger_});
    for (const char* f : {"CT_small.dcm", "MR_small.dcm"}) {
      auto r = ingest_->store(operator_ctx(), corpus_file(f));
      ASSERT_TRUE(r.ok()) << f << ": " << r.error().to_string();
    }
  }

  static RequestContext ctx_with(const TenantId& tenant, std::set<Permission> permissions) {
    Principal p;
    p.kind = Principal::Kind::kDimsePeer;
    p.id = "PEER";
    p.tenant = tenant;
    p.permissions = std::move(permissions);
    return {p, "127.0.0.1:1234", "req-q"};
  }

  std::unique_ptr<QueryService> query_;
};

TEST_F(QueryServiceTest, AnswersInTheTenantAndAuditsTheCount) {
  Query q;
  q.level = QueryLevel::kStudy;
  auto rows = query_->query(ctx_with(default_tenant(), {Permission::kStudyQuery}), q);
  ASSERT_TRUE(rows.ok()) << rows.error().to_string();
  EXPECT_EQ(rows->size(), 2u);
  const auto& e = audit_.events.back();
  EXPECT_EQ(e.action, AuditAction::kQuery);
  EXPECT_EQ(e.outcome, audit::Outcome::kSuccess);
  EXPECT_EQ(e.actor, "PEER");
  EXPECT_EQ(e.detail, "study level, 2 results");
}

TEST_F(QueryServiceTest, OtherTenantSeesNothing) {
  Query q;
  auto rows = query_->query(ctx_with(TenantId("other"), {Permission::kStudyQuery}), q);
  ASSERT_TRUE(rows.ok());
  EXPECT_TRUE(rows->empty());
}

TEST_F(QueryServiceTest, WithoutStudyQueryIsDeniedAndAudited) {
  Query q;
  auto rows = query_->query(ctx_with(default_tenant(), {Permission::kStudyWrite}), q);
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(audit_.events.back().outcome, audit::Outcome::kFailure);
  EXPECT_EQ(audit_.events.back().error_code, "permission_denied");
}

}  // namespace
}  // namespace arca::service
