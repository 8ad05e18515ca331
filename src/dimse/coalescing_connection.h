// Internal to dimse/ (DCMTK types): a DCMTK transport connection that sends a PDU's header with
// its data. DCMTK writes every P-DATA-TF PDU as two write() calls, the 12 bytes of PDU and PDV
// item headers, then the fragment; with Nagle off (as DICOM peers run) each is a TCP segment of
// its own, and over DICOM TLS a record of its own. At the 16 KiB PDUs DCMTK peers accept by
// default that is ~70 writes per 0.5 MB CT instance sent, half of them 12 bytes long.
//
// Small writes (under kHoldBelow) are held, up to kMaxHeld bytes; the next large write sends
// them with it (writev on plain TCP, one buffer through TLS). Everything that could wait for
// the peer — read, networkDataAvailable, isTransparentConnection (DCMTK then selects on the
// socket itself), renegotiate, close — and destruction send what is held first, so nothing
// the peer must answer is ever kept back.
// Thread-safety: none; a connection is used by one thread.
#pragma once

#include <dcmtk/config/osconfig.h>  // must come first among DCMTK headers
#include <dcmtk/dcmnet/dcmlayer.h>
#include <dcmtk/dcmnet/dcmtrans.h>

#include <memory>

#include "core/bytes.h"

namespace arca::dimse {

class CoalescingConnection final : public DcmTransportConnection {
 public:
  static constexpr std::size_t kHoldBelow = 1024;
  static constexpr std::size_t kMaxHeld = 4096;

  // `plain`: inner is a plain TCP connection on `fd` (writev), else TLS (one buffer).
  CoalescingConnection(DcmNativeSocketType fd, std::unique_ptr<DcmTransportConnection> inner,
                       bool plain);
  ~CoalescingConnection() override;

  OFCondition serverSideHandshake() override { return inner_->serverSideHandshake(); }
  OFCondition clientSideHandshake() override { return inner_->clientSideHandshake(); }
  OFCondition renegotiate(const char* suite) override;
  ssize_t read(void* buf, size_t nbyte) override;
  ssize_t write(void* buf, size_t nbyte) override;
  void close() override;
  void closeTransportConnection() override;
  unsigned long getPeerCertificateLength() override { return inner_->getPeerCertificateLength(); }
  unsigned long getPeerCertificate(void* buf, unsigned long len) override {
    return inner_->getPeerCertificate(buf, len);
  }
  OFBool networkDataAvailable(int timeout) override;
  OFBool isTransparentConnection() override;
  OFString& dumpConnectionParameters(OFString& str) override {
    return inner_->dumpConnectionParameters(str);
  }

  // Sends what is held; false if the connection failed.
  bool flush();
  // How many write calls reached the inner connection or the socket; for tests.
  std::size_t writes_sent() const { return writes_sent_; }

 private:
  bool send_with_held(const std::uint8_t* data, std::size_t size);

  std::unique_ptr<DcmTransportConnection> inner_;
  bool plain_;
  Bytes held_;
  Bytes joined_;  // TLS: held bytes and the large write in one buffer
  std::size_t writes_sent_ = 0;
};

// Makes CoalescingConnections: over plain TCP, or over the connections `tls` makes when DCMTK
// asks for a secure one (null: none).
class CoalescingLayer final : public DcmTransportLayer {
 public:
  explicit CoalescingLayer(DcmTransportLayer* tls) : tls_(tls) {}
  DcmTransportConnection* createConnection(DcmNativeSocketType fd, OFBool secure) override;

 private:
  DcmTransportLayer* tls_;
};

}  // namespace arca::dimse
