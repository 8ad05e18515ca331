#include "dicomweb/request_context.h"

#include <gtest/gtest.h>

namespace arca::dicomweb {
namespace {

http::Request make_request() {
  return http::Request::create(
             http::RequestInit{
                 http::Method::kGet, "/dicom-web/studies", {}, "127.0.0.1", "rid-1", nullptr})
      .take();
}

TEST(RequestContext, CarriesPrincipalTenantClientAndRequestId) {
  http::Request request = make_request();
  request.set_principal(http::Principal::make("user:42", "clinic-a",
                                              {Permission::kStudyQuery, Permission::kImageRead}));
  auto ctx = request_context(request);
  ASSERT_TRUE(ctx.ok());
  EXPECT_EQ(ctx->principal.id, "user:42");
  EXPECT_EQ(ctx->principal.kind, service::Principal::Kind::kUser);
  EXPECT_EQ(ctx->principal.tenant, TenantId("clinic-a"));
  EXPECT_TRUE(ctx->principal.may(Permission::kStudyQuery));
  EXPECT_TRUE(ctx->principal.may(Permission::kImageRead));
  EXPECT_FALSE(ctx->principal.may(Permission::kStudyWrite));
  EXPECT_FALSE(ctx->principal.may(Permission::kStudyDelete));
  EXPECT_EQ(ctx->client_address, "127.0.0.1");
  EXPECT_EQ(ctx->request_id, "rid-1");
}

TEST(RequestContext, CarriesTheUserAgentForTheAuditTrail) {
  http::Headers headers;
  headers.set("User-Agent", "OHIF/3.8 " + std::string(300, 'x'));
  http::Request request =
      http::Request::create(http::RequestInit{http::Method::kGet, "/dicom-web/studies", headers,
                                              "127.0.0.1", "rid-1", nullptr})
          .take();
  request.set_principal(http::Principal::make("user:42", "default", {}));
  auto ctx = request_context(request);
  ASSERT_TRUE(ctx.ok());
  EXPECT_EQ(ctx->user_agent.rfind("OHIF/3.8 x", 0), 0u);
  EXPECT_EQ(ctx->user_agent.size(), 256u);
  http::Request without = make_request();
  without.set_principal(http::Principal::make("user:42", "default", {}));
  EXPECT_TRUE(request_context(without).value().user_agent.empty());
}

TEST(RequestContext, ApiTokensAreMarkedAsSuch) {
  http::Request request = make_request();
  request.set_principal(http::Principal::make("token:7", "default", {}));
  auto ctx = request_context(request);
  ASSERT_TRUE(ctx.ok());
  EXPECT_EQ(ctx->principal.kind, service::Principal::Kind::kApiToken);
  EXPECT_TRUE(ctx->principal.permissions.empty());
}

TEST(RequestContext, NoPrincipalIsUnauthenticated) {
  http::Request request = make_request();
  auto ctx = request_context(request);
  ASSERT_FALSE(ctx.ok());
  EXPECT_EQ(ctx.error().code, ErrorCode::kUnauthenticated);
}

}  // namespace
}  // namespace arca::dicomweb
