#include "http/response_policy.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace arca::http {
namespace {

std::string inflate_gzip(const Bytes& in) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  std::string out(1 << 20, '\0');
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

std::string big_json() {
  std::string body = "[";
  for (int i = 0; i < 200; ++i)
    body += std::string(i ? "," : "") + R"({"0020000D":{"vr":"UI","Value":["1.2.3.)" +
            std::to_string(i) + R"("]}})";
  return body + "]";
}

TEST(SecurityHeaders, EveryResponseCarriesThem) {
  Response r = Response::text(200, "x");
  apply_security_headers(r, "/healthz");
  EXPECT_EQ(r.headers().get("Cache-Control"), "no-store");
  EXPECT_EQ(r.headers().get("X-Frame-Options"), "DENY");
  EXPECT_EQ(r.headers().get("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.headers().get("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(r.headers().get("Strict-Transport-Security"), "max-age=31536000");
}

TEST(SecurityHeaders, HandlerMayOverrideCspAndCacheControl) {
  Response r = Response::text(200, "x");
  r.headers().set("Content-Security-Policy", "default-src 'self' 'unsafe-eval'");
  r.headers().set("Cache-Control", "private, max-age=60");
  apply_security_headers(r, "/dicom-web/studies");
  EXPECT_EQ(r.headers().get("Content-Security-Policy"), "default-src 'self' 'unsafe-eval'");
  EXPECT_EQ(r.headers().get("Cache-Control"), "private, max-age=60");
}

TEST(SecurityHeaders, PolicyPerArea) {
  EXPECT_EQ(area_of("/dicom-web/studies"), Area::kApi);
  EXPECT_EQ(area_of("/dicom-web"), Area::kApi);
  EXPECT_EQ(area_of("/wado"), Area::kApi);
  EXPECT_EQ(area_of("/api/v1/users"), Area::kApi);
  EXPECT_EQ(area_of("/healthz"), Area::kApi);
  EXPECT_EQ(area_of(""), Area::kApi);  // unparsable request
  EXPECT_EQ(area_of("/app/"), Area::kApp);
  EXPECT_EQ(area_of("/app/index.js"), Area::kApp);
  EXPECT_EQ(area_of("/s/abc123"), Area::kApp);
  EXPECT_EQ(area_of("/"), Area::kOhif);
  EXPECT_EQ(area_of("/viewer"), Area::kOhif);
  EXPECT_EQ(area_of("/apple"), Area::kOhif);  // a prefix of a segment is not the segment
  EXPECT_EQ(area_of("/wadox"), Area::kOhif);
  EXPECT_EQ(area_of("/sitemap"), Area::kOhif);

  std::string api(content_security_policy(Area::kApi));
  std::string app(content_security_policy(Area::kApp));
  std::string ohif(content_security_policy(Area::kOhif));
  EXPECT_TRUE(api.starts_with("default-src 'none'"));
  EXPECT_EQ(api.find("'self'"), std::string::npos);
  for (const std::string& csp : {api, app, ohif})
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_NE(app.find("'wasm-unsafe-eval'"), std::string::npos);
  EXPECT_EQ(app.find("'unsafe-eval'"), std::string::npos);
  EXPECT_EQ(app.find("'unsafe-inline'"), std::string::npos);
  EXPECT_NE(ohif.find("'unsafe-eval'"), std::string::npos);

  Response r = Response::json(200, "{}");
  apply_security_headers(r, "/app/");
  EXPECT_EQ(r.headers().get("Content-Security-Policy"), app);
}

TEST(Gzip, AcceptEncodingParsing) {
  EXPECT_TRUE(accepts_gzip("gzip"));
  EXPECT_TRUE(accepts_gzip("gzip, deflate, br"));
  EXPECT_TRUE(accepts_gzip("br;q=1.0, GZIP;q=0.5"));
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_TRUE(accepts_gzip("x-gzip"));
  EXPECT_FALSE(accepts_gzip(""));
  EXPECT_FALSE(accepts_gzip("identity"));
  EXPECT_FALSE(accepts_gzip("br, deflate"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip; q=0.000"));
  EXPECT_FALSE(accepts_gzip("gzipx"));
}

TEST(Gzip, JsonIsCompressedWhenAcceptedAndRoundTrips) {
  const std::string body = big_json();
  Response r = Response::json(200, body);
  r.headers().set("Content-Type", "application/dicom+json");
  compress_if_accepted(r, "gzip, deflate");
  EXPECT_EQ(r.headers().get("Content-Encoding"), "gzip");
  EXPECT_EQ(r.headers().get("Vary"), "Accept-Encoding");
  EXPECT_LT(r.bytes().size(), body.size() / 4);
  EXPECT_EQ(inflate_gzip(r.bytes()), body);
}

TEST(Gzip, LeftAloneWhenNotAcceptedNotJsonTooSmallOrStreamed) {
  const std::string body = big_json();
  Response plain = Response::json(200, body);
  compress_if_accepted(plain, std::nullopt);
  EXPECT_FALSE(plain.headers().contains("Content-Encoding"));
  EXPECT_EQ(plain.headers().get("Vary"), "Accept-Encoding");  // caches must still key on it
  EXPECT_EQ(plain.bytes().size(), body.size());

  Response refused = Response::json(200, body);
  compress_if_accepted(refused, "gzip;q=0");
  EXPECT_FALSE(refused.headers().contains("Content-Encoding"));

  Response text = Response::text(200, body);
  compress_if_accepted(text, "gzip");
  EXPECT_FALSE(text.headers().contains("Content-Encoding"));
  EXPECT_FALSE(text.headers().contains("Vary"));

  Response small = Response::json(200, "{\"a\":1}");
  compress_if_accepted(small, "gzip");
  EXPECT_FALSE(small.headers().contains("Content-Encoding"));

  Bytes data(body.begin(), body.end());
  Response streamed = Response::stream(
      200, StreamBody{std::make_unique<MemorySource>(data), data.size()}, "application/dicom+json");
  compress_if_accepted(streamed, "gzip");
  EXPECT_FALSE(streamed.headers().contains("Content-Encoding"));
}

}  // namespace
}  // namespace arca::http
