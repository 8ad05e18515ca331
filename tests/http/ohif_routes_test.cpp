#include "http/ohif_routes.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "http/dispatcher.h"
#include "http/web_routes.h"
#include "test_dir.h"

namespace arca::http {
namespace {

namespace fs = std::filesystem;

const char* kIndex =
    "<!doctype html><script>window.PUBLIC_URL=\"/\"</script>"
    "<script src=\"/app-config.js\"></script><script defer "
    "src=\"/app.bundle.0f6159c501addfe9.js\"></script>";

struct OhifRoutesTest : ::testing::Test {
  void SetUp() override {
    fs::create_directories(root / "assets");
    std::ofstream(root / "index.html") << kIndex;
    std::ofstream(root / "app.bundle.0f6159c501addfe9.js") << "ohif()";
    std::ofstream(root / "34b1e6b1deb5828e.wasm") << "wasm";
    std::ofstream(root / "app.bundle.css") << "body{}";
    std::ofstream(root / "assets" / "favicon.ico") << "ico";
    auto ohif = load_ohif_site(root);
    ASSERT_TRUE(ohif.ok());
    site.emplace(std::move(ohif).take());
    auto app = StaticSite::load(app_shell_site(root / "no-shell"));
    ASSERT_TRUE(app.ok());
    shell.emplace(std::move(app).take());
    ASSERT_TRUE(register_web_routes(router, *shell).ok());
    ASSERT_TRUE(register_ohif_routes(router, *site).ok());
    ASSERT_TRUE(router
                    .add({Method::kGet, "/api/v1/me", Access::signed_in(), AuditAction::kLogin,
                          std::nullopt,
                          [](Request&) -> Result<Response> { return Response::text(200, "me"); }})
                    .ok());
  }

  Response call(Method m, std::string target) {
    auto req =
        Request::create(RequestInit{m, std::move(target), {}, "127.0.0.1", "id", nullptr}).take();
    DenyAllAuthenticator deny;
    return Dispatcher(router, deny).dispatch(req);
  }

  arca::test::TempDir scratch;
  const fs::path root = scratch.path();
  std::optional<StaticSite> site, shell;
  Router router;
};

TEST_F(OhifRoutesTest, ServesTheViewerAtTheRoot) {
  Response viewer = call(Method::kGet, "/viewer?StudyInstanceUIDs=1.2.3");
  EXPECT_EQ(viewer.status(), 200);
  EXPECT_EQ(viewer.headers().get("Content-Type"), "text/html; charset=utf-8");
  std::string csp(*viewer.headers().get("Content-Security-Policy"));
  EXPECT_NE(csp.find("'unsafe-eval'"), std::string::npos);
  // The inline script's hash, and only that one (the others have src=).
  EXPECT_NE(csp.find("'sha256-iDPt/Ua3DNNwIdzDqulCGYDYPv58ixnA75eez8NxOJg='"), std::string::npos)
      << csp;
  EXPECT_EQ(csp.find("sha256-", csp.find("sha256-") + 1), std::string::npos) << csp;
  EXPECT_EQ(call(Method::kGet, "/viewer/arca").status(), 200);

  Response bundle = call(Method::kGet, "/app.bundle.0f6159c501addfe9.js");
  EXPECT_EQ(bundle.status(), 200);
  EXPECT_EQ(bundle.headers().get("Cache-Control"), "public, max-age=31536000, immutable");
  Response wasm = call(Method::kGet, "/34b1e6b1deb5828e.wasm");
  EXPECT_EQ(wasm.headers().get("Content-Type"), "application/wasm");
  EXPECT_EQ(wasm.headers().get("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(call(Method::kGet, "/app.bundle.css").headers().get("Cache-Control"), "no-cache");
  EXPECT_EQ(call(Method::kGet, "/assets/favicon.ico").status(), 200);
}

TEST_F(OhifRoutesTest, GeneratesTheConfiguration) {
  Response config = call(Method::kGet, "/app-config.js");
  EXPECT_EQ(config.status(), 200);
  EXPECT_EQ(config.headers().get("Content-Type"), "text/javascript; charset=utf-8");
  std::string js(as_chars(config.bytes()));
  EXPECT_NE(js.find("qidoRoot: '/dicom-web'"), std::string::npos);
  EXPECT_NE(js.find("showStudyList: false"), std::string::npos);
  EXPECT_NE(js.find("dicomUploadEnabled: false"), std::string::npos);
  EXPECT_EQ(js.find("dicomlocal"), std::string::npos);
  EXPECT_EQ(js.find("http"), js.find("httpErrorHandler"));  // no absolute URL anywhere
}

TEST_F(OhifRoutesTest, EverythingElseKeepsItsOwnAnswer) {
  EXPECT_EQ(call(Method::kGet, "/").status(), 302);           // to the shell
  EXPECT_EQ(call(Method::kGet, "/app/").status(), 404);       // shell not built here
  EXPECT_EQ(call(Method::kGet, "/api/v1/me").status(), 401);  // a real route still wins
  EXPECT_EQ(call(Method::kGet, "/api/v1/nothing").status(), 404);
  EXPECT_EQ(call(Method::kPost, "/api/v1/nothing").status(), 404);  // not 405
  EXPECT_EQ(call(Method::kGet, "/missing.js").status(), 404);
  EXPECT_EQ(call(Method::kGet, "/worklist").status(), 404);  // no SPA fallback at the root
  EXPECT_EQ(call(Method::kGet, "/etc/passwd").status(), 404);
}

TEST(OhifCsp, HashesEachInlineScript) {
  std::string csp =
      ohif_csp("<script>a()</script><script src=\"x.js\"></script><script>b()</script>");
  EXPECT_EQ(std::count(csp.begin(), csp.end(), '='), 2) << csp;  // two base64 hashes, padded
  EXPECT_NE(csp.find("'sha256-"), std::string::npos);
  EXPECT_EQ(ohif_csp("").find("sha256"), std::string::npos);
}

TEST(HexHash, RecognisesWebpackNames) {
  EXPECT_TRUE(has_hex_hash("app.bundle.0f6159c501addfe9.js"));
  EXPECT_TRUE(has_hex_hash("34b1e6b1deb5828e.wasm"));
  EXPECT_TRUE(has_hex_hash("dir/1602.bundle.94f12cceab7c2762.js"));
  EXPECT_FALSE(has_hex_hash("app.bundle.css"));
  EXPECT_FALSE(has_hex_hash("index.html"));
  EXPECT_FALSE(has_hex_hash("0f6159c501addfe9"));  // no extension: not a hashed asset
  EXPECT_FALSE(has_hex_hash("app.0F6159C501ADDFE9.js"));
}

}  // namespace
}  // namespace arca::http
