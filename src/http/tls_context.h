// The HTTPS listener's TLS settings on an OpenSSL context: TLS 1.2 and later only, no
// renegotiation or compression, server cipher preference, Mozilla "intermediate" suites
// (forward-secret AEAD only), and the certificate chain and key from files.
// Thread-safety: call before the context is used by any connection.
#pragma once

#include <openssl/ssl.h>

#include "core/result.h"
#include "http/tls_certificate.h"

namespace arca::http {

// Fails with kInvalidArgument for a certificate or key that cannot be loaded or do not match.
Result<void> configure_server_tls(SSL_CTX* ctx, const CertificateFiles& files);

}  // namespace arca::http
