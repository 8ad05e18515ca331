// Internal to dimse/: what a worker does with a fresh connection before DCMTK sees it. Under
// one deadline (the association timeout) it completes the TLS handshake, if any, and reads the
// whole A-ASSOCIATE-RQ PDU. DCMTK then parses that PDU from memory, so the short section where
// DCMTK's process-wide socket hand-over is held (association_acceptor.h) never waits on a
// peer, and a peer that connects and stalls only ever ties up its own worker.
// Thread-safety: prepare_connection is thread-safe (SSL_CTX is shared read-only).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/bytes.h"
#include "core/result.h"

struct ssl_st;
struct ssl_ctx_st;

namespace arca::dimse {

struct SslFree {
  void operator()(ssl_st* ssl) const;
};
using SslPtr = std::unique_ptr<ssl_st, SslFree>;

struct SetupOptions {
  std::chrono::milliseconds timeout{30000};
  ssl_ctx_st* tls = nullptr;  // null: plain TCP
};

struct PreparedConnection {
  int fd = -1;                          // owned: closed by whoever ends up owning the connection
  SslPtr ssl;                           // established TLS session, or null for plain TCP
  Bytes associate_rq;                   // the complete A-ASSOCIATE-RQ PDU, header included
  std::string peer_certificate_sha256;  // lower-case hex of the client's DER certificate, if any
};

// Takes ownership of `fd` (closing it on failure). Errors: kTimeout, kInvalidArgument (not an
// A-ASSOCIATE-RQ, or larger than 1 MiB), kPermissionDenied (TLS handshake failed), kIo.
Result<PreparedConnection> prepare_connection(int fd, const SetupOptions& options);

}  // namespace arca::dimse
