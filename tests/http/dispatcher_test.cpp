#include "http/dispatcher.h"

#include <gtest/gtest.h>

#include <string>

#include "http/health.h"

namespace arca::http {
namespace {

class StubAuthenticator final : public Authenticator {
 public:
  explicit StubAuthenticator(Result<Principal> answer) : answer_(std::move(answer)) {}
  Result<Principal> authenticate(const Request&) override { return answer_; }

 private:
  Result<Principal> answer_;
};

Request make_request(Method m, std::string target) {
  return Request::create(RequestInit{m, std::move(target), {}, "127.0.0.1", "id", nullptr}).take();
}

std::string body_of(const Response& r) {
  return std::string(as_chars(r.bytes()));
}

struct Fixture : ::testing::Test {
  void SetUp() override {
    ASSERT_TRUE(register_health_routes(router, [this]() -> Result<void> { return ready; }).ok());
    ASSERT_TRUE(
        router
            .add(Route{Method::kGet, "/studies/{study}", Access::require(Permission::kStudyQuery),
                       AuditAction::kQuery, std::nullopt,
                       [](Request& r) -> Result<Response> {
                         if (*r.path_param("study") == "missing")
                           return make_error(ErrorCode::kNotFound, "no \"such\" study");
                         if (*r.path_param("study") == "throw")
                           throw std::runtime_error("boom");
                         return Response::text(
                             200, std::string(*r.path_param("study")) + " by " +
                                      (r.principal() ? r.principal()->actor : "nobody"));
                       }})
            .ok());
  }
  Router router;
  Result<void> ready = ok();
};

TEST_F(Fixture, HealthAndReadiness) {
  DenyAllAuthenticator deny;
  Dispatcher d(router, deny);
  auto health = make_request(Method::kGet, "/healthz");
  Response h = d.dispatch(health);
  EXPECT_EQ(h.status(), 200);
  EXPECT_EQ(body_of(h), "ok");
  auto readyz = make_request(Method::kGet, "/readyz");
  EXPECT_EQ(d.dispatch(readyz).status(), 200);
  ready = make_error(ErrorCode::kIo, "index offline");
  auto again = make_request(Method::kGet, "/readyz");
  Response r = d.dispatch(again);
  EXPECT_EQ(r.status(), 503);
  EXPECT_NE(body_of(r).find("\"error\":\"unavailable\""), std::string::npos);
  EXPECT_NE(body_of(r).find("index offline"), std::string::npos);
}

TEST_F(Fixture, DenyAllAnswers401OnNonPublicRoutes) {
  DenyAllAuthenticator deny;
  Dispatcher d(router, deny);
  auto req = make_request(Method::kGet, "/studies/1.2.3");
  Response r = d.dispatch(req);
  EXPECT_EQ(r.status(), 401);
  EXPECT_EQ(body_of(r),
            "{\"error\":\"unauthenticated\",\"message\":\"no authenticator configured\"}");
  EXPECT_TRUE(r.headers().contains("WWW-Authenticate"));
}

TEST_F(Fixture, PermissionIsChecked) {
  StubAuthenticator lacking(Principal::make("user:1", "default", {Permission::kImageRead}));
  auto req = make_request(Method::kGet, "/studies/1.2.3");
  EXPECT_EQ(Dispatcher(router, lacking).dispatch(req).status(), 403);

  StubAuthenticator granted(Principal::make("user:2", "default", {Permission::kStudyQuery}));
  auto ok_req = make_request(Method::kGet, "/studies/1.2.3");
  Response r = Dispatcher(router, granted).dispatch(ok_req);
  EXPECT_EQ(r.status(), 200);
  EXPECT_EQ(body_of(r), "1.2.3 by user:2");
  EXPECT_EQ(ok_req.route_template(), "/studies/{study}");
  EXPECT_EQ(ok_req.audit_action(), AuditAction::kQuery);
}

TEST_F(Fixture, RefusalsOfSignedInCallersAreReportedAnonymousOnesAreNot) {
  std::vector<std::string> seen;
  RefusalObserver observe = [&](const Request& r, const Principal& who, const Error& why) {
    seen.push_back(who.actor + " " + r.route_template() + " " +
                   std::string(error_code_name(why.code)));
  };
  StubAuthenticator lacking(Principal::make("user:1", "default", {Permission::kImageRead}));
  auto req = make_request(Method::kGet, "/studies/1.2.3");
  EXPECT_EQ(Dispatcher(router, lacking, observe).dispatch(req).status(), 403);
  Principal pending = Principal::make("user:3", "default", {Permission::kStudyQuery});
  pending.pending_step = "second_factor";
  StubAuthenticator half(pending);
  auto req2 = make_request(Method::kGet, "/studies/1.2.3");
  EXPECT_EQ(Dispatcher(router, half, observe).dispatch(req2).status(), 401);
  DenyAllAuthenticator deny;
  auto req3 = make_request(Method::kGet, "/studies/1.2.3");
  EXPECT_EQ(Dispatcher(router, deny, observe).dispatch(req3).status(), 401);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], "user:1 /studies/{study} permission_denied");
  EXPECT_EQ(seen[1], "user:3 /studies/{study} unauthenticated");
}

TEST_F(Fixture, ErrorsAndExceptionsMapByCode) {
  StubAuthenticator granted(Principal::make("user:2", "default", {Permission::kStudyQuery}));
  Dispatcher d(router, granted);
  auto missing = make_request(Method::kGet, "/studies/missing");
  Response r = d.dispatch(missing);
  EXPECT_EQ(r.status(), 404);
  EXPECT_EQ(body_of(r), R"({"error":"not_found","message":"no \"such\" study"})");
  auto boom = make_request(Method::kGet, "/studies/throw");
  EXPECT_EQ(d.dispatch(boom).status(), 500);
  auto unknown = make_request(Method::kGet, "/nope");
  EXPECT_EQ(d.dispatch(unknown).status(), 404);
  auto wrong = make_request(Method::kPost, "/healthz");
  Response w = d.dispatch(wrong);
  EXPECT_EQ(w.status(), 405);
  EXPECT_EQ(w.headers().get("Allow"), "GET, HEAD");
}

TEST(ErrorResponse, EveryCodeUsesTheCatalogueStatus) {
  for (ErrorCode c :
       {ErrorCode::kInvalidArgument, ErrorCode::kTooLarge, ErrorCode::kTimeout,
        ErrorCode::kUnavailable, ErrorCode::kPermissionDenied, ErrorCode::kInternal}) {
    EXPECT_EQ(error_response(make_error(c, "m")).status(), http_status(c));
  }
}

}  // namespace
}  // namespace arca::http
