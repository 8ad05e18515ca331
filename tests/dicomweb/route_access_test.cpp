// Walks every DICOMweb route of the real route table through the dispatcher: without
// credentials (401), with a principal lacking the route's permission (403), and with exactly
// that permission (admitted: neither 401 nor 403). Also pins each route's permission and audit
// action, so a new route without the right ones fails here.
#include <gtest/gtest.h>

#include <string>

#include "dicomweb/routes.h"
#include "http/dispatcher.h"
#include "service/service_fixture.h"

namespace arca::dicomweb {
namespace {

class StubAuthenticator final : public http::Authenticator {
 public:
  explicit StubAuthenticator(Result<http::Principal> answer) : answer_(std::move(answer)) {}
  Result<http::Principal> authenticate(const http::Request&) override { return answer_; }

 private:
  Result<http::Principal> answer_;
};

// A concrete path for a route template: parameters filled with plausible values.
std::string concrete(const std::string& path) {
  std::string out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] != '{') {
      out += path[i++];
      continue;
    }
    std::size_t end = path.find('}', i);
    std::string name = path.substr(i + 1, end - i - 1);
    out += name == "frames" ? "1" : name == "tag" ? "7FE00010" : "1.2.826.0.1.3680043.8.498.9";
    i = end + 1;
  }
  return out;
}

class RouteAccess : public service::ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    query_ = std::make_unique<service::QueryService>(
        service::QueryDeps{*index_, audit_, clock_, logger_});
    ASSERT_TRUE(register_dicomweb_routes(router_, {*query_, *retrieve_, *ingest_, random_}).ok());
  }

  int status(http::Authenticator& auth, const http::Route& route) {
    http::Dispatcher dispatcher(router_, auth);
    http::RequestInit init{route.method, concrete(route.path), {}, "127.0.0.1", "rid", nullptr};
    if (route.method == http::Method::kPost)
      init.headers.set("Content-Type", "multipart/related; type=application/dicom; boundary=b");
    auto request = http::Request::create(std::move(init));
    EXPECT_TRUE(request.ok()) << route.path;
    return dispatcher.dispatch(*request).status();
  }

  std::unique_ptr<service::QueryService> query_;
  http::Router router_;
};

Permission expected_permission(const http::Route& route) {
  if (route.method == http::Method::kPost)
    return Permission::kStudyWrite;
  const std::string& p = route.path;
  const bool search = p == "/dicom-web/studies" || p == "/dicom-web/series" ||
                      p == "/dicom-web/instances" || p.ends_with("/series") ||
                      p.ends_with("/instances");
  return search ? Permission::kStudyQuery : Permission::kImageRead;
}

TEST_F(RouteAccess, EveryRouteIsDeclaredAndGuarded) {
  ASSERT_GE(router_.routes().size(), 20U);
  for (const http::Route& route : router_.routes()) {
    SCOPED_TRACE(route.path);
    ASSERT_FALSE(route.access.is_public());
    EXPECT_EQ(route.access.permission(), expected_permission(route));
    EXPECT_EQ(route.audit, route.method == http::Method::kPost ? AuditAction::kStore
                           : *route.access.permission() == Permission::kStudyQuery
                               ? AuditAction::kQuery
                               : AuditAction::kRetrieve);
    http::DenyAllAuthenticator nobody;
    EXPECT_EQ(status(nobody, route), 401);
    StubAuthenticator powerless(http::Principal::make("user:1", "default", {}));
    EXPECT_EQ(status(powerless, route), 403);
    StubAuthenticator allowed(
        http::Principal::make("user:2", "default", {*route.access.permission()}));
    int admitted = status(allowed, route);
    EXPECT_NE(admitted, 401);
    EXPECT_NE(admitted, 403);
  }
}

TEST_F(RouteAccess, DevAuthenticatorAdmitsLoopbackOnly) {
  http::LoopbackDevAuthenticator dev(http::Principal::make(
      "dev-local-access", "default", {Permission::kStudyQuery, Permission::kImageRead}));
  http::Dispatcher dispatcher(router_, dev);
  for (const char* address : {"127.0.0.1", "203.0.113.7"}) {
    auto request = http::Request::create(
        {http::Method::kGet, "/dicom-web/studies", {}, address, "rid", nullptr});
    ASSERT_TRUE(request.ok());
    EXPECT_EQ(dispatcher.dispatch(*request).status(),
              std::string(address) == "127.0.0.1" ? 200 : 401);
  }
}

}  // namespace
}  // namespace arca::dicomweb
