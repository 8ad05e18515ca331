#include "http/static_site.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "http/dispatcher.h"
#include "http/web_routes.h"
#include "test_dir.h"

namespace arca::http {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& p, std::string_view text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

std::string read_all(Response& r) {
  std::string out;
  if (!r.is_stream())
    return std::string(as_chars(r.bytes()));
  Bytes buf(256);
  for (;;) {
    auto n = r.stream_body().source->read(MutableByteView(buf));
    if (!n.ok() || *n == 0)
      return out;
    out.append(as_chars(ByteView(buf.data(), *n)));
  }
}

// A web root with an index, a hashed asset and a wasm file, next to a secret that must never
// be served: outside the root, and reachable from inside only through a symbolic link.
struct StaticSiteTest : ::testing::Test {
  void SetUp() override {
    write(root / "index.html", "<!doctype html><title>Arca</title>");
    write(root / "assets" / "index-AbC123xy.js", "console.log(1)");
    write(root / "assets" / "codec-9f8e7d6c.wasm", "\0asm");
    write(root / "favicon.svg", "<svg/>");
    write(base / "secret.txt", "root key");
    fs::create_symlink(base / "secret.txt", root / "linked.txt");
    auto loaded = StaticSite::load(app_shell_site(root));
    ASSERT_TRUE(loaded.ok());
    site.emplace(std::move(loaded).take());
    ASSERT_TRUE(register_web_routes(router, *site).ok());
  }

  Response get(std::string target, Headers headers = {}) {
    auto req = Request::create(RequestInit{Method::kGet, std::move(target), std::move(headers),
                                           "127.0.0.1", "id", nullptr});
    if (!req.ok())
      return error_response(req.error());  // what the server answers to a malformed target
    DenyAllAuthenticator deny;
    return Dispatcher(router, deny).dispatch(*req);
  }

  arca::test::TempDir scratch;
  const fs::path base = scratch.path();
  const fs::path root = base / "dist";
  std::optional<StaticSite> site;
  Router router;
};

TEST_F(StaticSiteTest, ServesFilesWithTheirTypeAndCaching) {
  Response index = get("/app/");
  EXPECT_EQ(index.status(), 200);
  EXPECT_EQ(index.headers().get("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(index.headers().get("Cache-Control"), "no-cache");
  EXPECT_NE(index.headers().get("Content-Security-Policy")->find("'wasm-unsafe-eval'"),
            std::string::npos);
  EXPECT_EQ(read_all(index), "<!doctype html><title>Arca</title>");

  Response js = get("/app/assets/index-AbC123xy.js");
  EXPECT_EQ(js.status(), 200);
  EXPECT_EQ(js.headers().get("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js.headers().get("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(read_all(js), "console.log(1)");

  Response wasm = get("/app/assets/codec-9f8e7d6c.wasm");
  EXPECT_EQ(wasm.headers().get("Content-Type"), "application/wasm");
  EXPECT_EQ(get("/app/favicon.svg").headers().get("Cache-Control"), "no-cache");
}

TEST_F(StaticSiteTest, RevalidatesWithETag) {
  Response first = get("/app/index.html");
  auto etag = first.headers().get("ETag");
  ASSERT_TRUE(etag);
  Headers h;
  h.set("If-None-Match", *etag);
  EXPECT_EQ(get("/app/index.html", h).status(), 304);
}

TEST_F(StaticSiteTest, RedirectsTheRootToTheApp) {
  for (const char* target : {"/", "/app"}) {
    Response r = get(target);
    EXPECT_EQ(r.status(), 302) << target;
    EXPECT_EQ(r.headers().get("Location"), "/app/") << target;
  }
}

TEST_F(StaticSiteTest, ClientRoutesFallBackToIndexButMissingFilesAre404) {
  Response route = get("/app/worklist");
  EXPECT_EQ(route.status(), 200);
  EXPECT_EQ(read_all(route), "<!doctype html><title>Arca</title>");
  EXPECT_EQ(get("/app/some/deep/route").status(), 200);
  EXPECT_EQ(get("/app/missing.js").status(), 404);
  EXPECT_EQ(get("/app/assets/index-gone0000.js").status(), 404);
  EXPECT_EQ(get("/app/assets/noextension").status(), 404);  // hashed area never falls back
  EXPECT_EQ(get("/elsewhere").status(), 404);
}

// Whatever the path, the answer is a refusal, a 404, or (for an extension-less client route)
// the app's own index.html: never the secret beside the root, never a file of the system.
TEST_F(StaticSiteTest, NoPathReachesOutsideTheRoot) {
  const std::string index = "<!doctype html><title>Arca</title>";
  for (const char* target :
       {"/app/../secret.txt", "/app/%2e%2e/secret.txt", "/app/assets/%2E%2E/%2E%2E/secret.txt",
        "/app/..%2fsecret.txt", "/app/%2e%2e%2fsecret.txt", "/app/linked.txt",
        "/app/%2Fetc%2Fpasswd", "/app/assets/..%2F..%2Fsecret.txt", "/app//etc/passwd",
        "/app/secret.txt%00.html", "/app/assets/../../secret.txt"}) {
    Response r = get(target);
    if (r.status() == 200) {
      EXPECT_EQ(read_all(r), index) << target;
    } else {
      EXPECT_TRUE(r.status() == 404 || r.status() == 400) << target << " -> " << r.status();
    }
  }
  // Straight at the site, bypassing the URL decoder and the router.
  auto req = Request::create(RequestInit{Method::kGet, "/x", {}, "127.0.0.1", "id", nullptr});
  for (const char* path : {"../secret.txt", "assets/../../secret.txt", "/etc/passwd", "linked.txt",
                           "./index.html/../../secret.txt", "assets/../index.html"}) {
    auto r = site->serve(path, *req);
    if (r.ok()) {
      EXPECT_EQ(read_all(*r), index) << path;
    }
  }
  EXPECT_FALSE(site->serve("../secret.txt", *req).ok());
  EXPECT_FALSE(site->serve("linked.txt", *req).ok());
}

TEST_F(StaticSiteTest, SendsThePrecompressedSiblingToGzipClients) {
  write(root / "assets" / "big-1234abcd.js", "plain text");
  write(root / "assets" / "big-1234abcd.js.gz", "gzipped bytes");
  write(root / "lone.txt.gz", "a gzip file of its own");
  auto loaded = StaticSite::load(app_shell_site(root));
  ASSERT_TRUE(loaded.ok());
  Router r2;
  ASSERT_TRUE(register_web_routes(r2, *loaded).ok());
  auto fetch = [&](std::string target, std::optional<std::string> accept) {
    Headers h;
    if (accept)
      h.set("Accept-Encoding", *accept);
    auto req =
        Request::create(RequestInit{Method::kGet, std::move(target), h, "127.0.0.1", "id", nullptr})
            .take();
    DenyAllAuthenticator deny;
    return Dispatcher(r2, deny).dispatch(req);
  };
  for (const char* accept : {"gzip, deflate, br", "br;q=1.0, gzip;q=0.8", "*", "GZIP"}) {
    Response gz = fetch("/app/assets/big-1234abcd.js", accept);
    bool wanted = std::string(accept) != "GZIP";  // codings are matched as sent (lower case)
    EXPECT_EQ(gz.headers().get("Content-Encoding").has_value(), wanted) << accept;
    EXPECT_EQ(read_all(gz), wanted ? "gzipped bytes" : "plain text") << accept;
    EXPECT_EQ(gz.headers().get("Vary"), "Accept-Encoding");
    EXPECT_EQ(gz.headers().get("Content-Type"), "text/javascript; charset=utf-8");
  }
  for (std::optional<std::string> accept :
       {std::optional<std::string>(), std::optional<std::string>("br"),
        std::optional<std::string>("gzip;q=0"), std::optional<std::string>("*, gzip;q=0.000")}) {
    Response plain = fetch("/app/assets/big-1234abcd.js", accept);
    EXPECT_FALSE(plain.headers().get("Content-Encoding")) << accept.value_or("(none)");
    EXPECT_EQ(read_all(plain), "plain text");
  }
  EXPECT_NE(fetch("/app/assets/big-1234abcd.js", "gzip").headers().get("ETag"),
            fetch("/app/assets/big-1234abcd.js", std::nullopt).headers().get("ETag"));
  EXPECT_EQ(fetch("/app/assets/big-1234abcd.js.gz", "gzip").status(), 404);
  EXPECT_EQ(fetch("/app/lone.txt.gz", std::nullopt).status(), 200);
}

TEST(StaticSite, MissingRootIsAnEmptySite) {
  auto site = StaticSite::load(app_shell_site("/nonexistent/arca/web/dist"));
  ASSERT_TRUE(site.ok());
  EXPECT_EQ(site->file_count(), 0u);
}

TEST(ContentType, ByExtension) {
  EXPECT_EQ(content_type_for("a.wasm"), "application/wasm");
  EXPECT_EQ(content_type_for("a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("a.woff2"), "font/woff2");
  EXPECT_EQ(content_type_for("README"), "application/octet-stream");
}

}  // namespace
}  // namespace arca::http
