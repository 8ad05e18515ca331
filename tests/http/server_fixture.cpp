#include "http/server_fixture.h"

#include <openssl/evp.h>

#include <algorithm>
#include <fstream>

#include "http/health.h"
#include "http/range.h"
#include "http/response_policy.h"

namespace arca::http::testing {

using namespace std::chrono_literals;

Result<Principal> StubAuthenticator::authenticate(const Request& r) {
  auto auth = r.headers().get("authorization");
  if (auth == "Bearer writer")
    return Principal::make("token:1", "default",
                           {Permission::kStudyWrite, Permission::kStudyQuery});
  if (auth == "Bearer weak")
    return Principal::make("token:2", "default", {});
  return make_error(ErrorCode::kUnauthenticated, "missing credentials");
}

Result<std::size_t> PatternSource::read(MutableByteView out) {
  std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), left_));
  for (std::size_t i = 0; i < n; ++i)
    out[i] = static_cast<std::uint8_t>((pos_ + i) * 31 % 251);
  pos_ += n;
  left_ -= n;
  return n;
}

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

namespace {

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

}  // namespace

Bytes pattern(std::uint64_t size) {
  PatternSource src(size);
  return read_all(src, static_cast<std::size_t>(size)).take();
}

std::string big_json() {
  std::string body = "[";
  for (int i = 0; i < 500; ++i)
    body += std::string(i ? "," : "") + "{\"00080018\":{\"vr\":\"UI\",\"Value\":[\"1.2." +
            std::to_string(i) + "\"]}}";
  return body + "]";
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

void ServerTest::SetUp() {
  add_routes(router_);
  ServerConfig config;
  config.tls = make_test_certificate(dir_.path());
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

}  // namespace arca::http::testing
