// TlsSyslogConnector: connections to a syslog collector over TLS (RFC 5425; TLS 1.2 or later),
// verifying the collector's certificate against a CA file and its name (or IP address) against
// the configured host. OpenSSL types stay in syslog_tls.cpp.
// Thread-safety: connect() is thread-safe; each connection is used by one thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "audit/syslog_forwarder.h"

namespace arca::audit {

struct TlsSyslogOptions {
  std::string host;
  int port = 6514;                   // RFC 5425's port
  std::filesystem::path ca_file;     // PEM: the CA that signed the collector's certificate
  std::chrono::seconds timeout{10};  // connect, handshake and each write
};

class TlsSyslogConnector final : public SyslogConnector {
 public:
  // kInvalidArgument if the CA file cannot be loaded.
  static Result<std::unique_ptr<TlsSyslogConnector>> create(TlsSyslogOptions options);
  ~TlsSyslogConnector() override;

  Result<std::unique_ptr<SyslogConnection>> connect() override;
  std::string describe() const override;

 private:
  struct Context;
  TlsSyslogConnector(TlsSyslogOptions options, std::unique_ptr<Context> context);
  TlsSyslogOptions options_;
  std::unique_ptr<Context> context_;
};

}  // namespace arca::audit
