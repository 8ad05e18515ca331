// End-to-end tests of the HTTPS server over 127.0.0.1 with curl(1) and a raw TLS client.
#include "http/server.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "http/health.h"
#include "http/https_test_support.h"
#include "http/range.h"
#include "http/response_policy.h"

namespace arca::http {
namespace {

using namespace std::chrono_literals;
using testing::CurlResult;
using testing::PendingCurl;
using testing::TlsClient;

constexpr std::uint64_t kMiB = 1024 * 1024;

// "Bearer writer" has study.write and study.query, "Bearer weak" nothing; anything else is 401.
class StubAuthenticator final : public Authenticator {
 public:
  Result<Principal> authenticate(const Request& r) override {
    auto auth = r.headers().get("authorization");
    if (auth == "Bearer writer")
      return Principal::make("token:1", "default",
                             {Permission::kStudyWrite, Permission::kStudyQuery});
    if (auth == "Bearer weak")
      return Principal::make("token:2", "default", {});
    return make_error(ErrorCode::kUnauthenticated, "missing credentials");
  }
};

// A deterministic byte pattern, generated on the fly.
class PatternSource final : public ByteSource {
 public:
  explicit PatternSource(std::uint64_t size) : left_(size) {}
  Result<std::size_t> read(MutableByteView out) override {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), left_));
    for (std::size_t i = 0; i < n; ++i)
      out[i] = static_cast<std::uint8_t>((pos_ + i) * 31 % 251);
    pos_ += n;
    left_ -= n;
    return n;
  }

 private:
  std::uint64_t left_;
  std::uint64_t pos_ = 0;
};

std::string sha256_hex_of(ByteSource& in, std::size_t* max_chunk, std::uint64_t* total) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  Bytes buf(64 * 1024);
  for (;;) {
    auto n = in.read(buf);
    if (!n.ok() || *n == 0)
      break;
    *max_chunk = std::max(*max_chunk, *n);
    *total += *n;
    EVP_DigestUpdate(ctx, buf.data(), *n);
  }
  unsigned char md[32];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  return to_hex(ByteView(md, len));
}

// Hashes the body incrementally, 64 KiB at a time.
Result<Response> hash_upload(Request& r) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  Bytes buf(64 * 1024);
  std::uint64_t total = 0;
  for (;;) {
    auto n = r.body().read(buf);
    if (!n.ok()) {
      EVP_MD_CTX_free(ctx);
      return n.error();
    }
    if (*n == 0)
      break;
    total += *n;
    EVP_DigestUpdate(ctx, buf.data(), *n);
  }
  unsigned char md[32];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  return Response::text(200, to_hex(ByteView(md, len)) + " " + std::to_string(total));
}

Result<Response> echo(Request& r) {
  std::string out =
      "a=" + std::string(*r.path_param("a")) + ";b=" + std::string(*r.path_param("b"));
  for (auto v : r.query().all("q"))
    out += ";q=" + std::string(v);
  return Response::text(200, out);
}

Result<Response> big(Request& r) {
  std::uint64_t size = std::stoull(std::string(r.query().get("size").value_or("0")));
  std::optional<std::uint64_t> length;
  if (r.query().get("known"))
    length = size;
  Response resp = Response::stream(200, {std::make_unique<PatternSource>(size), length},
                                   "application/octet-stream");
  resp.headers().set("Content-Security-Policy", "default-src 'none'");
  return resp;
}

std::string big_json() {
  std::string body = "[";
  for (int i = 0; i < 500; ++i)
    body += std::string(i ? "," : "") + "{\"00080018\":{\"vr\":\"UI\",\"Value\":[\"1.2." +
            std::to_string(i) + "\"]}}";
  return body + "]";
}

Bytes pattern(std::uint64_t size) {
  PatternSource src(size);
  return read_all(src, static_cast<std::size_t>(size)).take();
}

// Serves a slice of shared bytes it keeps alive.
class SharedSlice final : public ByteSource {
 public:
  SharedSlice(std::shared_ptr<const Bytes> data, std::uint64_t offset, std::uint64_t length)
      : data_(std::move(data)), source_(ByteView(*data_).subspan(offset, length)) {}
  Result<std::size_t> read(MutableByteView out) override { return source_.read(out); }

 private:
  std::shared_ptr<const Bytes> data_;
  MemorySource source_;
};

Result<Response> ranged(Request& r) {
  auto data = std::make_shared<const Bytes>(pattern(100'000));
  RangedBody body{
      data->size(),
      [data](std::uint64_t offset, std::uint64_t length) -> Result<std::unique_ptr<ByteSource>> {
        return std::unique_ptr<ByteSource>(std::make_unique<SharedSlice>(data, offset, length));
      }};
  return ranged_response(r, body, "application/octet-stream");
}

Result<Response> page(Request&) {
  Response r = Response::text(200, "<!doctype html>");
  r.headers().set("Content-Type", "text/html");
  return r;
}

void add_routes(Router& router) {
  auto add = [&](Route r) { ASSERT_TRUE(router.add(std::move(r)).ok()); };
  ASSERT_TRUE(register_health_routes(router, [] { return ok(); }).ok());
  add({Method::kGet, "/echo/{a}/{b}", Access::public_route(), AuditAction::kNone, 0, echo});
  add({Method::kGet, "/studies", Access::require(Permission::kStudyQuery), AuditAction::kQuery, 0,
       [](Request& r) -> Result<Response> {
         return Response::text(200, "hello " + (r.principal() ? r.principal()->actor : "nobody"));
       }});
  add({Method::kPost, "/upload", Access::require(Permission::kStudyWrite), AuditAction::kStore,
       64 * kMiB, hash_upload});
  add({Method::kPost, "/small", Access::require(Permission::kStudyWrite), AuditAction::kStore,
       1 * kMiB, hash_upload});
  add({Method::kGet, "/big", Access::public_route(), AuditAction::kNone, 0, big});
  add({Method::kGet, "/dicom-web/json", Access::public_route(), AuditAction::kNone, 0,
       [](Request&) -> Result<Response> { return Response::json(200, big_json()); }});
  add({Method::kGet, "/ranged", Access::public_route(), AuditAction::kNone, 0, ranged});
  add({Method::kGet, "/app/index", Access::public_route(), AuditAction::kNone, 0, page});
  add({Method::kGet, "/viewer", Access::public_route(), AuditAction::kNone, 0, page});
}

std::uint64_t peak_rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0)
      return std::stoull(line.substr(6));
  }
  return 0;
}

void reset_peak_rss() {
  std::ofstream("/proc/self/clear_refs") << "5";
}

// Writes `size` pattern bytes to a file and returns their SHA-256.
std::string write_pattern_file(const std::filesystem::path& p, std::uint64_t size) {
  PatternSource src(size);
  std::ofstream out(p, std::ios::binary);
  Bytes buf(1024 * 1024);
  for (;;) {
    std::size_t n = src.read(buf).take();
    if (n == 0)
      break;
    out.write(reinterpret_cast<const char*>(buf.data()), static_cast<std::streamsize>(n));
  }
  PatternSource again(size);
  std::size_t max_chunk = 0;
  std::uint64_t total = 0;
  return sha256_hex_of(again, &max_chunk, &total);
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    add_routes(router_);
    ServerConfig config;
    config.tls = testing::make_test_certificate(dir_.path());
    config.threads = 4;
    config.limits.max_header_bytes = 8 * 1024;
    config.limits.request_timeout = 1s;
    config.limits.idle_timeout = 1s;
    config.limits.shutdown_grace = 2s;
    config.limits.max_connections = 64;
    server_ = std::make_unique<Server>(config, router_, auth_, log_, random_);
    ASSERT_TRUE(server_->start().ok());
    ASSERT_NE(server_->port(), 0);
  }
  void TearDown() override { server_->stop(); }

  std::string url(std::string_view path) const {
    return "https://127.0.0.1:" + std::to_string(server_->port()) + std::string(path);
  }
  CurlResult get(std::string_view path, const std::vector<std::string>& args = {}) {
    return testing::curl(dir_.path(), url(path), args);
  }

  testing::ScratchDir dir_;
  Router router_;
  StubAuthenticator auth_;
  testing::CapturingLogger log_;
  SeededRandom random_{42};
  std::unique_ptr<Server> server_;
};

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

TEST_F(ServerTest, StreamsA50MiBUploadThroughAnIncrementalHash) {
  auto file = dir_.path() / "upload.bin";
  std::string expected = write_pattern_file(file, 50 * kMiB);
  reset_peak_rss();
  std::uint64_t before = peak_rss_kib();
  CurlResult r = get(
      "/upload", {"-H", "Authorization: Bearer writer", "-H",
                  "Content-Type: application/octet-stream", "--data-binary", "@" + file.string()});
  std::uint64_t growth_kib = peak_rss_kib() - before;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, expected + " " + std::to_string(50 * kMiB));
#ifndef __SANITIZE_ADDRESS__  // ASan's quarantine keeps freed TLS/parser buffers resident
  EXPECT_LT(growth_kib, 16 * 1024u) << "the server seems to buffer the body";
#else
  (void)growth_kib;
#endif

  CurlResult chunked =
      get("/upload", {"-H", "Authorization: Bearer writer", "-H", "Transfer-Encoding: chunked",
                      "--data-binary", "@" + file.string()});
  EXPECT_EQ(chunked.status, 200);
  EXPECT_EQ(chunked.body, expected + " " + std::to_string(50 * kMiB));
}

TEST_F(ServerTest, BodyOverRouteLimitIs413) {
  auto file = dir_.path() / "two.bin";
  (void)write_pattern_file(file, 2 * kMiB);
  std::vector<std::string> auth = {"-H", "Authorization: Bearer writer", "--data-binary",
                                   "@" + file.string()};
  CurlResult refused = get("/small", auth);
  EXPECT_EQ(refused.status, 413);
  EXPECT_NE(refused.body.find("request body too large"), std::string::npos) << refused.body;
  auto chunked = auth;
  chunked.insert(chunked.end(), {"-H", "Transfer-Encoding: chunked"});
  EXPECT_EQ(get("/small", chunked).status, 413);
  auto no_expect = auth;
  no_expect.insert(no_expect.end(), {"-H", "Expect:"});
  EXPECT_EQ(get("/small", no_expect).status, 413);
  // A body must not reach an unauthenticated route handler.
  EXPECT_EQ(get("/upload", {"--data-binary", "@" + file.string()}).status, 401);
  EXPECT_EQ(get("/small", {"-H", "Authorization: Bearer writer", "-d", "tiny"}).status, 200);
}

TEST_F(ServerTest, StreamsALargeResponse) {
  constexpr std::uint64_t kSize = 64 * kMiB;
  PatternSource src(kSize);
  std::size_t max_chunk = 0;
  std::uint64_t total = 0;
  std::string expected = sha256_hex_of(src, &max_chunk, &total);
  for (std::string query :
       {"?size=" + std::to_string(kSize), "?known=1&size=" + std::to_string(kSize)}) {
    CurlResult r = get("/big" + query);
    ASSERT_EQ(r.status, 200);
    ASSERT_EQ(r.body.size(), kSize);
    MemorySource body(as_bytes(r.body));
    std::size_t c = 0;
    std::uint64_t t = 0;
    EXPECT_EQ(sha256_hex_of(body, &c, &t), expected);
    EXPECT_EQ(r.header("Content-Security-Policy"), "default-src 'none'");  // route override
    if (query.find("known") != std::string::npos)
      EXPECT_EQ(r.header("Content-Length"), std::to_string(kSize));
    else
      EXPECT_EQ(r.header("Transfer-Encoding"), "chunked");
  }
}

TEST_F(ServerTest, OversizedHeaderIs431) {
  CurlResult r = get("/healthz", {"-H", "X-Big: " + std::string(10 * 1024, 'a')});
  EXPECT_EQ(r.status, 431);
  EXPECT_NE(r.body.find("header_too_large"), std::string::npos) << r.body;
  EXPECT_EQ(get("/healthz", {"-H", "X-Fine: " + std::string(2 * 1024, 'a')}).status, 200);
}

TEST_F(ServerTest, SlowlorisHeaderIsCutOffWithin408) {
  auto client = TlsClient::connect(server_->port());
  ASSERT_TRUE(client && client->handshake_ok());
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client->send("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: "));
  std::string got = client->read_until_close(5s);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(got.rfind("HTTP/1.1 408", 0), 0u) << got;
  EXPECT_LT(elapsed, 3s);
  EXPECT_GT(elapsed, 500ms);
}

TEST_F(ServerTest, MalformedRequestIs400AndUnknownMethodIs501) {
  auto bad = TlsClient::connect(server_->port());
  ASSERT_TRUE(bad && bad->handshake_ok());
  ASSERT_TRUE(bad->send("GET / HTTP/1.1\r\nBad Header\r\n\r\n"));
  std::string got = bad->read_until_close(5s);
  EXPECT_EQ(got.rfind("HTTP/1.1 400", 0), 0u) << got;
  auto brew = TlsClient::connect(server_->port());
  ASSERT_TRUE(brew && brew->handshake_ok());
  ASSERT_TRUE(brew->send("BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  got = brew->read_until_close(5s);
  EXPECT_EQ(got.rfind("HTTP/1.1 501", 0), 0u) << got;
}

TEST_F(ServerTest, StalledBodyTimesOut) {
  auto client = TlsClient::connect(server_->port());
  ASSERT_TRUE(client && client->handshake_ok());
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(
      client->send("POST /upload HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                   "writer\r\nContent-Length: 1000\r\n\r\nonly a little"));
  std::string got = client->read_until_close(5s);
  EXPECT_EQ(got.rfind("HTTP/1.1 408", 0), 0u) << got;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST_F(ServerTest, SilentTcpAndIdleKeepAliveConnectionsAreClosed) {
  auto closed = testing::idle_tcp_close_time(server_->port(), 5s);
  ASSERT_TRUE(closed.has_value());
  EXPECT_LT(*closed, 3s);

  auto client = TlsClient::connect(server_->port());
  ASSERT_TRUE(client && client->handshake_ok());
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client->send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  std::string got = client->read_until_close(5s);
  EXPECT_EQ(got.rfind("HTTP/1.1 200", 0), 0u) << got;
  EXPECT_EQ(got.find("408"), std::string::npos);  // idle close is silent
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST_F(ServerTest, KeepAliveServesSequentialRequests) {
  std::vector<std::string> args;
  for (int i = 0; i < 20; ++i)
    args.insert(args.end(), {"--next", "-k", "-sS", "-o", "/dev/null", url("/healthz")});
  CurlResult r = get("/healthz", args);
  EXPECT_EQ(r.exit_code, 0);
  // The server logs a request after its answer is sent: the last line may trail curl's exit.
  std::size_t served = 0;
  for (auto deadline = std::chrono::steady_clock::now() + 5s;
       served < 21 && std::chrono::steady_clock::now() < deadline;
       std::this_thread::sleep_for(20ms)) {
    served = 0;
    for (const auto& line : log_.lines())
      served += line.find("http GET /healthz 200") != std::string::npos ? 1 : 0;
  }
  EXPECT_EQ(served, 21u);
}

TEST_F(ServerTest, OldTlsVersionsAreRefused) {
  auto tls11 = TlsClient::connect(server_->port(), TLS1_1_VERSION);
  ASSERT_TRUE(tls11);
  EXPECT_FALSE(tls11->handshake_ok());
  auto tls10 = TlsClient::connect(server_->port(), TLS1_VERSION);
  ASSERT_TRUE(tls10);
  EXPECT_FALSE(tls10->handshake_ok());
  auto tls12 = TlsClient::connect(server_->port(), TLS1_2_VERSION);
  ASSERT_TRUE(tls12);
  EXPECT_TRUE(tls12->handshake_ok());
  CurlResult curl11 = get("/healthz", {"--tls-max", "1.1", "--ciphers", "DEFAULT@SECLEVEL=0"});
  EXPECT_NE(curl11.exit_code, 0);
  EXPECT_EQ(curl11.status, 0);
  EXPECT_EQ(get("/healthz", {"--tlsv1.2", "--tls-max", "1.2"}).status, 200);
}

TEST_F(ServerTest, ThirtyTwoParallelRequestsAllSucceed) {
  auto file = dir_.path() / "one.bin";
  std::string expected = write_pattern_file(file, 1 * kMiB);
  std::vector<std::unique_ptr<PendingCurl>> pending;
  for (int i = 0; i < 32; ++i) {
    if (i % 2 == 0) {
      pending.push_back(std::make_unique<PendingCurl>(
          dir_.path(), url("/echo/a/b?q=" + std::to_string(i)), std::vector<std::string>{}));
    } else {
      pending.push_back(std::make_unique<PendingCurl>(
          dir_.path(), url("/upload"),
          std::vector<std::string>{"-H", "Authorization: Bearer writer", "--data-binary",
                                   "@" + file.string()}));
    }
  }
  for (int i = 0; i < 32; ++i) {
    CurlResult r = pending[static_cast<std::size_t>(i)]->finish();
    EXPECT_EQ(r.status, 200) << i;
    if (i % 2 == 0)
      EXPECT_EQ(r.body, "a=a;b=b;q=" + std::to_string(i));
    else
      EXPECT_EQ(r.body, expected + " " + std::to_string(kMiB));
  }
}

TEST_F(ServerTest, StopClosesIdleConnectionsPromptly) {
  auto client = TlsClient::connect(server_->port());
  ASSERT_TRUE(client && client->handshake_ok());
  auto start = std::chrono::steady_clock::now();
  server_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_NE(get("/healthz").exit_code, 0);
}

TEST(ServerLimitsTest, ConnectionsPastTheLimitAreRefused) {
  testing::ScratchDir dir;
  Router router;
  add_routes(router);
  DenyAllAuthenticator deny;
  NullLogger log;
  SeededRandom random(1);
  ServerConfig config;
  config.tls = testing::make_test_certificate(dir.path());
  config.limits.max_connections = 2;
  Server server(config, router, deny, log, random);
  ASSERT_TRUE(server.start().ok());
  auto a = TlsClient::connect(server.port());
  auto b = TlsClient::connect(server.port());
  ASSERT_TRUE(a && a->handshake_ok() && b && b->handshake_ok());
  auto c = TlsClient::connect(server.port());
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->handshake_ok());
  a.reset();
  std::this_thread::sleep_for(200ms);
  auto d = TlsClient::connect(server.port());
  EXPECT_TRUE(d && d->handshake_ok());
}

TEST(ServerConfigTest, BadCertificateFailsToStart) {
  testing::ScratchDir dir;
  Router router;
  DenyAllAuthenticator deny;
  NullLogger log;
  SeededRandom random(1);
  ServerConfig config;
  config.tls = {dir.path() / "missing.pem", dir.path() / "missing.key"};
  Server server(config, router, deny, log, random);
  auto r = server.start();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace arca::http
