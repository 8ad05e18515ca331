// The HTTPS server under test (tests/http/server_*_test.cpp): a Server on 127.0.0.1 with a
// stub authenticator, a set of routes that echo, hash uploads, stream large or ranged bodies and
// serve pages, and the byte patterns and memory probes the tests compare against.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/https_test_support.h"
#include "http/server.h"

namespace arca::http::testing {

constexpr std::uint64_t kMiB = 1024 * 1024;

// "Bearer writer" has study.write and study.query, "Bearer weak" nothing; anything else is 401.
class StubAuthenticator final : public Authenticator {
 public:
  Result<Principal> authenticate(const Request& r) override;
};

// A deterministic byte pattern, generated on the fly.
class PatternSource final : public ByteSource {
 public:
  explicit PatternSource(std::uint64_t size) : left_(size) {}
  Result<std::size_t> read(MutableByteView out) override;

 private:
  std::uint64_t left_;
  std::uint64_t pos_ = 0;
};

// The SHA-256 of everything `in` yields, noting the largest read and the total.
std::string sha256_hex_of(ByteSource& in, std::size_t* max_chunk, std::uint64_t* total);
// 500 DICOM JSON objects: a body worth compressing (served at /dicom-web/json).
std::string big_json();
// The first `size` pattern bytes.
Bytes pattern(std::uint64_t size);
// /healthz and friends, /echo/{a}/{b}, /studies (study.query), /upload (64 MiB) and /small
// (1 MiB) hashing their bodies, /big?size=&known, /dicom-web/json, /ranged, /app/index, /viewer.
void add_routes(Router& router);
// This process's peak resident set (VmHWM), and resetting it.
std::uint64_t peak_rss_kib();
void reset_peak_rss();
// Writes `size` pattern bytes to a file and returns their SHA-256.
std::string write_pattern_file(const std::filesystem::path& p, std::uint64_t size);

class ServerTest : public ::testing::Test {
 protected:
  // Four threads, 8 KiB headers, 1 s request and idle timeouts, 64 connections.
  void SetUp() override;
  void TearDown() override { server_->stop(); }

  std::string url(std::string_view path) const {
    return "https://127.0.0.1:" + std::to_string(server_->port()) + std::string(path);
  }
  CurlResult get(std::string_view path, const std::vector<std::string>& args = {}) {
    return curl(dir_.path(), url(path), args);
  }

  ScratchDir dir_;
  Router router_;
  StubAuthenticator auth_;
  CapturingLogger log_;
  SeededRandom random_{42};
  std::unique_ptr<Server> server_;
};

}  // namespace arca::http::testing
