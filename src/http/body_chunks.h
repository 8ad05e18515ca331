// The buffer a streamed response body is sent from: filled to the brim from its ByteSource
// (a multipart source's part headers and CRLFs travel with the data around them) and, for the
// chunked transfer coding (RFC 9112 §7.1), framed in place, so each write hands the TLS layer
// one contiguous run of bytes. Written in separate pieces, every 64 KiB chunk cost two extra
// TLS records (the size line and the CRLF) and every part header and CRLF a chunk of its own:
// a third of the records and send() calls of a WADO-RS study retrieve.
// The default size is a multiple of the TLS record (16 KiB) with the framing included, so a
// full chunk goes out as whole records.
// Thread-safety: used by one thread at a time.
#pragma once

#include <cstddef>

#include "core/bytes.h"
#include "core/result.h"
#include "core/stream.h"

namespace arca::http {

class BodyChunks {
 public:
  static constexpr std::size_t kDefaultSize = 256 * 1024;
  // `size`: bytes of one full write, framing included (at least 64).
  BodyChunks(bool chunked, std::size_t size = kDefaultSize);

  // The next write: up to capacity() body bytes read from `source`, framed when chunked; empty
  // when the source has ended (the caller then sends the last chunk, see last_chunk()).
  Result<ByteView> next(ByteSource& source);
  // Body bytes that fit in one write.
  std::size_t capacity() const { return capacity_; }
  // "0\r\n\r\n": the end of a chunked body.
  static ByteView last_chunk();

 private:
  static constexpr std::size_t kSizeLine = 16 + 2;  // up to 16 hex digits and CRLF

  bool chunked_;
  Bytes buffer_;
  std::size_t capacity_;
};

}  // namespace arca::http
