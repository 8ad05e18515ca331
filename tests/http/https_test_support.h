// Helpers for tests that drive the real HTTPS server over 127.0.0.1: a scratch directory with a
// self-signed certificate, a curl(1) runner, and a raw OpenSSL client for what curl cannot do
// (half-sent headers, idle connections, old TLS versions).
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/logger.h"
#include "http/tls_certificate.h"

namespace arca::http::testing {

class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A certificate in a scratch directory.
CertificateFiles make_test_certificate(const std::filesystem::path& dir);

struct CurlResult {
  int exit_code = -1;  // curl's exit status
  int status = 0;      // HTTP status, 0 if none
  std::string headers;
  std::string body;
  std::optional<std::string> header(std::string_view name) const;
};

// Runs curl -sS -k --max-time 30 with the extra arguments (already split) against url.
CurlResult curl(const std::filesystem::path& scratch, const std::string& url,
                const std::vector<std::string>& args = {});
// Starts curl without waiting; finish() collects the result.
class PendingCurl {
 public:
  PendingCurl(const std::filesystem::path& scratch, const std::string& url,
              const std::vector<std::string>& args);
  CurlResult finish();

 private:
  std::FILE* pipe_ = nullptr;
  std::filesystem::path headers_, body_;
};

// A minimal blocking TLS client over 127.0.0.1 with receive timeouts.
class TlsClient {
 public:
  // max_version: e.g. TLS1_1_VERSION to try an old protocol; 0 for the library default.
  static std::unique_ptr<TlsClient> connect(std::uint16_t port, int max_version = 0);
  ~TlsClient();
  bool send(std::string_view data);
  // Reads until the peer closes or `limit` passes; returns what arrived.
  std::string read_until_close(std::chrono::milliseconds limit);
  bool handshake_ok() const { return ssl_ != nullptr; }

 private:
  TlsClient() = default;
  int fd_ = -1;
  void* ctx_ = nullptr;
  void* ssl_ = nullptr;
};

// A raw TCP connection that never speaks TLS; returns the time until the server closes it.
std::optional<std::chrono::milliseconds> idle_tcp_close_time(std::uint16_t port,
                                                             std::chrono::milliseconds limit);

// Collects log lines.
class CapturingLogger final : public Logger {
 public:
  void log(LogLevel, std::string_view message) override;
  std::vector<std::string> lines() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

}  // namespace arca::http::testing
