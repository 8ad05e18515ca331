#include "http/router.h"

#include <gtest/gtest.h>

#include <type_traits>

namespace arca::http {
namespace {

Handler ok_handler() {
  return [](Request&) -> Result<Response> { return Response::text(200, "ok"); };
}

Route get(std::string path, Access access = Access::public_route(),
          AuditAction audit = AuditAction::kNone) {
  return Route{Method::kGet, std::move(path), access, audit, std::nullopt, ok_handler()};
}

// Access can only come from its two named constructors, so a Route cannot be declared without
// saying who may call it.
static_assert(!std::is_default_constructible_v<Access>);
static_assert(!std::is_default_constructible_v<Route>);

TEST(Router, MatchesTemplatesAndExtractsParameters) {
  Router r;
  ASSERT_TRUE(r.add(get("/dicom-web/studies/{study}/series/{series}",
                        Access::require(Permission::kImageRead), AuditAction::kRetrieve))
                  .ok());
  auto m = r.match(Method::kGet, {"dicom-web", "studies", "1.2.3", "series", "4.5"});
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params, (std::vector<Request::PathParam>{{"study", "1.2.3"}, {"series", "4.5"}}));
  EXPECT_EQ(r.match(Method::kGet, {"dicom-web", "studies", "1.2.3"}).route, nullptr);
  EXPECT_EQ(r.match(Method::kGet, {"dicom-web", "studies", "", "series", "x"}).route, nullptr);
}

TEST(Router, UnknownPathIs404AndWrongMethodListsAllowed) {
  Router r;
  ASSERT_TRUE(r.add(get("/items/{id}")).ok());
  ASSERT_TRUE(r.add(Route{Method::kDelete, "/items/{id}", Access::require(Permission::kStudyDelete),
                          AuditAction::kDelete, std::nullopt, ok_handler()})
                  .ok());
  auto none = r.match(Method::kGet, {"nothing"});
  EXPECT_EQ(none.route, nullptr);
  EXPECT_TRUE(none.allowed.empty());
  auto wrong = r.match(Method::kPost, {"items", "7"});
  EXPECT_EQ(wrong.route, nullptr);
  EXPECT_EQ(wrong.allowed, (std::vector<Method>{Method::kGet, Method::kDelete}));
  EXPECT_NE(r.match(Method::kHead, {"items", "7"}).route, nullptr);  // HEAD answers via GET
}

TEST(Router, LiteralSegmentBeatsParameter) {
  Router r;
  ASSERT_TRUE(r.add(get("/studies/{study}")).ok());
  ASSERT_TRUE(r.add(get("/studies/search")).ok());
  EXPECT_EQ(r.match(Method::kGet, {"studies", "search"}).route->path, "/studies/search");
  EXPECT_EQ(r.match(Method::kGet, {"studies", "1.2"}).route->path, "/studies/{study}");
}

TEST(Router, RefusesBadDeclarations) {
  Router r;
  ASSERT_TRUE(r.add(get("/a/{x}")).ok());
  // A non-public route must be audited.
  EXPECT_FALSE(r.add(get("/b", Access::require(Permission::kStudyQuery), AuditAction::kNone)).ok());
  EXPECT_FALSE(r.add(get("/a/{y}")).ok());  // ambiguous with /a/{x}
  EXPECT_FALSE(r.add(get("/a/{x}")).ok());  // duplicate
  EXPECT_FALSE(r.add(get("no-slash")).ok());
  EXPECT_FALSE(r.add(get("/c/{x}/{x}")).ok());  // repeated name
  EXPECT_FALSE(r.add(get("/c/{}")).ok());
  EXPECT_FALSE(r.add(get("/c//d")).ok());
  EXPECT_FALSE(r.add(get("/c/{x")).ok());
  EXPECT_FALSE(r.add(Route{Method::kGet, "/d", Access::public_route(), AuditAction::kNone,
                           std::nullopt, Handler{}})
                   .ok());
  EXPECT_TRUE(r.add(Route{Method::kPost, "/a/{x}", Access::require(Permission::kStudyWrite),
                          AuditAction::kStore, 1024, ok_handler()})
                  .ok());
  EXPECT_EQ(r.routes().size(), 2u);
  EXPECT_EQ(
      r.add(get("/e", Access::require(Permission::kStudyQuery), AuditAction::kNone)).error().code,
      ErrorCode::kInvalidArgument);
}

TEST(Router, RestParameterTakesTheRemainingSegments) {
  Router r;
  ASSERT_TRUE(r.add(get("/app/{*path}")).ok());
  ASSERT_TRUE(r.add(get("/app/config")).ok());
  ASSERT_TRUE(r.add(get("/app/{page}/x")).ok());
  auto deep = r.match(Method::kGet, {"app", "assets", "a.js"});
  ASSERT_NE(deep.route, nullptr);
  EXPECT_EQ(deep.params, (std::vector<Request::PathParam>{{"path", "assets/a.js"}}));
  auto root = r.match(Method::kGet, {"app", ""});  // "/app/"
  ASSERT_NE(root.route, nullptr);
  EXPECT_EQ(root.params, (std::vector<Request::PathParam>{{"path", ""}}));
  EXPECT_EQ(r.match(Method::kGet, {"app"}).route, nullptr);
  EXPECT_EQ(r.match(Method::kGet, {"app", "config"}).route->path, "/app/config");
  EXPECT_EQ(r.match(Method::kGet, {"app", "p", "x"}).route->path, "/app/{page}/x");
  EXPECT_EQ(r.match(Method::kGet, {"app", "p", "y"}).route->path, "/app/{*path}");
  auto post = r.match(Method::kPost, {"app", "a"});  // 404, not 405: rest routes are fallbacks
  EXPECT_EQ(post.route, nullptr);
  EXPECT_TRUE(post.allowed.empty());
  ASSERT_TRUE(r.add(get("/{*path}")).ok());
  EXPECT_EQ(r.match(Method::kGet, {"app", "x.js"}).route->path, "/app/{*path}");
  EXPECT_EQ(r.match(Method::kGet, {"app", "config"}).route->path, "/app/config");
  EXPECT_EQ(r.match(Method::kGet, {"viewer"}).route->path, "/{*path}");
  EXPECT_EQ(r.match(Method::kGet, {}).route, nullptr);  // "/" itself
  EXPECT_FALSE(r.add(get("/app/{*path}")).ok());
  EXPECT_FALSE(r.add(get("/b/{*path}/c")).ok());
}

TEST(Router, ListsEveryRouteWithItsAccess) {
  Router r;
  ASSERT_TRUE(r.add(get("/healthz")).ok());
  ASSERT_TRUE(
      r.add(get("/x", Access::require(Permission::kAuditRead), AuditAction::kAuditRead)).ok());
  ASSERT_EQ(r.routes().size(), 2u);
  EXPECT_TRUE(r.routes()[0].access.is_public());
  EXPECT_EQ(r.routes()[1].access.permission(), Permission::kAuditRead);
  EXPECT_EQ(r.routes()[1].audit, AuditAction::kAuditRead);
}

}  // namespace
}  // namespace arca::http
