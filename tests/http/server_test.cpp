// The HTTPS server over 127.0.0.1 with curl(1): routing, authentication, security headers,
// compression, ranges and logging.
#include <gtest/gtest.h>

#include "http/response_policy.h"
#include "http/server_fixture.h"

namespace arca::http {
namespace {

using namespace std::chrono_literals;
using namespace testing;  // the server fixture (server_fixture.h)

TEST_F(ServerTest, HealthRoutesAndSecurityHeaders) {
  CurlResult h = get("/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body, "ok");
  EXPECT_EQ(get("/readyz").status, 200);
  EXPECT_EQ(h.header("Strict-Transport-Security"), "max-age=31536000");
  EXPECT_EQ(h.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(h.header("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(h.header("X-Frame-Options"), "DENY");
  EXPECT_EQ(h.header("Content-Security-Policy"), content_security_policy(Area::kApi));
  EXPECT_EQ(h.header("Cache-Control"), "no-store");
  EXPECT_EQ(h.header("X-Request-Id")->size(), 16u);
  CurlResult head = get("/healthz", {"-I"});
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("Content-Length"), "2");
  EXPECT_EQ(head.body.find("\r\n\r\nok"), std::string::npos);  // curl -I writes headers only
}

TEST_F(ServerTest, ContentSecurityPolicyPerArea) {
  EXPECT_EQ(get("/app/index").header("Content-Security-Policy"),
            content_security_policy(Area::kApp));
  EXPECT_EQ(get("/viewer").header("Content-Security-Policy"), content_security_policy(Area::kOhif));
  EXPECT_EQ(get("/dicom-web/json").header("Content-Security-Policy"),
            content_security_policy(Area::kApi));
  CurlResult refused = get("/dicom-web/nothing-here");  // errors carry the policy too
  EXPECT_EQ(refused.status, 404);
  EXPECT_EQ(refused.header("Content-Security-Policy"), content_security_policy(Area::kApi));
}

TEST_F(ServerTest, JsonIsGzippedOnlyForClientsThatAskForIt) {
  const std::string body = big_json();
  CurlResult compressed = get("/dicom-web/json", {"--compressed"});
  EXPECT_EQ(compressed.status, 200);
  EXPECT_EQ(compressed.header("Content-Encoding"), "gzip");
  EXPECT_EQ(compressed.header("Vary"), "Accept-Encoding");
  EXPECT_LT(std::stoull(*compressed.header("Content-Length")), body.size() / 4);
  EXPECT_EQ(compressed.body, body);  // curl inflated it
  CurlResult plain = get("/dicom-web/json");
  EXPECT_FALSE(plain.header("Content-Encoding").has_value());
  EXPECT_EQ(plain.header("Vary"), "Accept-Encoding");
  EXPECT_EQ(plain.body, body);
  CurlResult head = get("/dicom-web/json", {"-I", "-H", "Accept-Encoding: gzip"});
  EXPECT_EQ(head.header("Content-Length"), compressed.header("Content-Length"));
}

TEST_F(ServerTest, SingleRangeIs206AndUnsatisfiableIs416) {
  const Bytes all = pattern(100'000);
  CurlResult whole = get("/ranged");
  EXPECT_EQ(whole.status, 200);
  EXPECT_EQ(whole.header("Accept-Ranges"), "bytes");
  EXPECT_EQ(whole.body.size(), all.size());
  CurlResult part = get("/ranged", {"-r", "1000-1999"});
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.header("Content-Range"), "bytes 1000-1999/100000");
  EXPECT_EQ(part.header("Content-Length"), "1000");
  EXPECT_EQ(part.body, std::string(all.begin() + 1000, all.begin() + 2000));
  CurlResult tail = get("/ranged", {"-H", "Range: bytes=-10"});
  EXPECT_EQ(tail.status, 206);
  EXPECT_EQ(tail.body, std::string(all.end() - 10, all.end()));
  CurlResult beyond = get("/ranged", {"-r", "100000-"});
  EXPECT_EQ(beyond.status, 416);
  EXPECT_EQ(beyond.header("Content-Range"), "bytes */100000");
}

TEST_F(ServerTest, UnknownPathAndWrongMethod) {
  CurlResult missing = get("/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, R"({"error":"not_found","message":"no such resource"})");
  EXPECT_TRUE(missing.header("X-Frame-Options").has_value());  // on errors too
  CurlResult wrong = get("/healthz", {"-X", "DELETE"});
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.header("Allow"), "GET, HEAD");
  EXPECT_EQ(get("/a/../healthz", {"--path-as-is"}).status, 400);
}

TEST_F(ServerTest, AuthenticationAndPermission) {
  EXPECT_EQ(get("/studies").status, 401);
  EXPECT_EQ(get("/studies", {"-H", "Authorization: Bearer nonsense"}).status, 401);
  EXPECT_EQ(get("/studies", {"-H", "Authorization: Bearer weak"}).status, 403);
  CurlResult ok = get("/studies", {"-H", "Authorization: Bearer writer"});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "hello token:1");
}

TEST_F(ServerTest, DenyAllAuthenticatorRefusesEveryNonPublicRoute) {
  DenyAllAuthenticator deny;
  ServerConfig config;
  config.tls = testing::make_test_certificate(dir_.path());
  Server server(config, router_, deny, log_, random_);
  ASSERT_TRUE(server.start().ok());
  std::string base = "https://127.0.0.1:" + std::to_string(server.port());
  for (const Route& r : router_.routes()) {
    if (r.access.is_public())
      continue;
    std::string path = r.path;
    CurlResult res = testing::curl(
        dir_.path(), base + path,
        {"-X", std::string(method_name(r.method)), "-H", "Authorization: Bearer writer"});
    EXPECT_EQ(res.status, 401) << r.path;
  }
  server.stop();
}

TEST_F(ServerTest, PathParametersAndQueryAreDecoded) {
  CurlResult r = get("/echo/caf%C3%A9/x%2Fy%20z?q=one%20two&other=1&q=%2B3");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "a=café;b=x/y z;q=one two;q=+3");
}

TEST_F(ServerTest, LogsRouteTemplateNotRawPath) {
  ASSERT_EQ(get("/echo/DOE%5EJOHN/x?q=PatientName").status, 200);
  server_->stop();
  bool found = false;
  for (const auto& line : log_.lines()) {
    EXPECT_EQ(line.find("DOE"), std::string::npos) << line;
    EXPECT_EQ(line.find("PatientName"), std::string::npos) << line;
    if (line.find("http GET /echo/{a}/{b} 200 ") != std::string::npos)
      found = true;
    // curl closing its connection after the response is not a malformed request.
    EXPECT_EQ(line.find(" 400 "), std::string::npos) << line;
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace arca::http
