// The server's TLS certificate files, and a self-signed one for first runs and tests.
// The generated certificate uses an EC P-256 key, names localhost, 127.0.0.1 and ::1 in its
// subjectAltName, and is written as PEM; the key file is created with mode 0600 (atomically:
// temp, fsync, rename), the certificate with 0644. OpenSSL only.
#pragma once

#include <filesystem>

#include "core/clock.h"
#include "core/random.h"
#include "core/result.h"

namespace arca::http {

struct CertificateFiles {
  std::filesystem::path certificate;  // PEM, leaf first then any chain
  std::filesystem::path key;          // PEM private key
};

struct SelfSignedOptions {
  Clock::TimePoint not_before;  // usually clock.now()
  int valid_days = 397;
};

// Writes a new self-signed certificate and key, replacing existing files.
Result<void> generate_self_signed_certificate(const CertificateFiles& files,
                                              const SelfSignedOptions& options, Random& random);

// Leaves an existing pair alone; generates one if neither file exists; fails with
// kInvalidArgument if only one of the two exists.
Result<void> ensure_certificate(const CertificateFiles& files, const SelfSignedOptions& options,
                                Random& random);

}  // namespace arca::http
