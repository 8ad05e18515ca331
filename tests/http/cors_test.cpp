#include "http/cors.h"

#include <gtest/gtest.h>

namespace arca::http {
namespace {

Request make_request(Method method, std::vector<std::pair<std::string, std::string>> headers) {
  RequestInit init;
  init.method = method;
  init.target = "/dicom-web/studies";
  for (auto& [n, v] : headers)
    init.headers.add(n, v);
  return std::move(Request::create(std::move(init))).take();
}

const CorsPolicy kViewer{{"https://viewer.example:8443"}};

TEST(Cors, OffByDefaultChangesNothing) {
  CorsPolicy off;
  EXPECT_FALSE(cors_preflight(
      off, make_request(Method::kOptions, {{"Origin", "https://viewer.example:8443"},
                                           {"Access-Control-Request-Method", "GET"}})));
  Response r = Response::json(200, "[]");
  apply_cors(r, off, "https://viewer.example:8443");
  EXPECT_FALSE(r.headers().contains("Access-Control-Allow-Origin"));
  EXPECT_FALSE(r.headers().contains("Vary"));
}

TEST(Cors, PreflightFromAListedOriginIs204) {
  auto answer = cors_preflight(
      kViewer,
      make_request(Method::kOptions, {{"Origin", "https://viewer.example:8443"},
                                      {"Access-Control-Request-Method", "POST"},
                                      {"Access-Control-Request-Headers", "content-type"}}));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status(), 204);
  EXPECT_EQ(answer->headers().get("Access-Control-Allow-Origin"), "https://viewer.example:8443");
  EXPECT_EQ(answer->headers().get("Access-Control-Allow-Credentials"), "true");
  EXPECT_EQ(answer->headers().get("Access-Control-Allow-Methods"), "GET, HEAD, POST");
  EXPECT_NE(answer->headers().get("Access-Control-Allow-Headers")->find("Authorization"),
            std::string_view::npos);
  EXPECT_EQ(answer->headers().get("Vary"), "Origin");
}

TEST(Cors, OtherOriginsAndNonPreflightsAreNotAnsweredHere) {
  auto refused = cors_preflight(
      kViewer, make_request(Method::kOptions, {{"Origin", "https://evil.example"},
                                               {"Access-Control-Request-Method", "GET"}}));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status(), 403);
  EXPECT_FALSE(refused->headers().contains("Access-Control-Allow-Origin"));
  // Same host, other port or scheme: another origin.
  EXPECT_FALSE(kViewer.allows("https://viewer.example"));
  EXPECT_FALSE(kViewer.allows("http://viewer.example:8443"));
  // A plain OPTIONS, or a GET with an Origin, goes to the router as usual.
  EXPECT_FALSE(cors_preflight(kViewer, make_request(Method::kOptions, {})));
  EXPECT_FALSE(cors_preflight(
      kViewer, make_request(Method::kGet, {{"Origin", "https://viewer.example:8443"},
                                           {"Access-Control-Request-Method", "GET"}})));
}

TEST(Cors, ResponsesToListedOriginsMayBeRead) {
  Response r = Response::json(200, "[]");
  r.headers().set("Vary", "Accept-Encoding");
  apply_cors(r, kViewer, "https://viewer.example:8443");
  EXPECT_EQ(r.headers().get("Access-Control-Allow-Origin"), "https://viewer.example:8443");
  EXPECT_EQ(r.headers().get("Access-Control-Allow-Credentials"), "true");
  EXPECT_EQ(r.headers().get("Vary"), "Accept-Encoding, Origin");
  EXPECT_NE(r.headers().get("Access-Control-Expose-Headers")->find("Content-Range"),
            std::string_view::npos);
  Response other = Response::json(200, "[]");
  apply_cors(other, kViewer, "https://evil.example");
  EXPECT_FALSE(other.headers().contains("Access-Control-Allow-Origin"));
  EXPECT_EQ(other.headers().get("Vary"), "Origin");
  Response none = Response::json(200, "[]");
  apply_cors(none, kViewer, std::nullopt);
  EXPECT_FALSE(none.headers().contains("Access-Control-Allow-Origin"));
}

}  // namespace
}  // namespace arca::http
