#include "http/tls_context.h"

namespace arca::http {

Result<void> configure_server_tls(SSL_CTX* ctx, const CertificateFiles& files) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 |
                               SSL_OP_NO_COMPRESSION | SSL_OP_SINGLE_DH_USE | SSL_OP_ALL |
                               SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Mozilla "intermediate": forward-secret AEAD suites only (TLS 1.3 suites are all fine).
  SSL_CTX_set_cipher_list(ctx,
                          "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                          "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                          "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
  if (SSL_CTX_use_certificate_chain_file(ctx, files.certificate.c_str()) != 1)
    return make_error(ErrorCode::kInvalidArgument, "cannot load TLS certificate");
  if (SSL_CTX_use_PrivateKey_file(ctx, files.key.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1)
    return make_error(ErrorCode::kInvalidArgument, "cannot load TLS key or it does not match");
  return ok();
}

}  // namespace arca::http
