// Byte streams: the seam between parsers, crypto and stores, so a 2 GB object never has to sit
// whole in memory. read() returns the number of bytes read, 0 only at the end of the stream.
// Thread-safety: a stream is used by one thread at a time.
#pragma once

#include <cstddef>

#include "core/bytes.h"
#include "core/result.h"

namespace arca {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual Result<std::size_t> read(MutableByteView out) = 0;
};

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Result<void> write(ByteView data) = 0;
  // For a producer that can put its output straight where the sink keeps it (an encryptor
  // sealing a segment into a store's write buffer, saving a copy): room for exactly the next
  // `size` bytes, or an empty view when this sink offers none (the default), and then the
  // producer calls write() as usual. The bytes put there count once commit_in_place(size)
  // follows, before any other call on the sink.
  virtual Result<MutableByteView> reserve_in_place(std::size_t size);
  virtual Result<void> commit_in_place(std::size_t size);
};

// Reads from a borrowed span.
class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(ByteView data) : data_(data) {}
  Result<std::size_t> read(MutableByteView out) override;

 private:
  ByteView data_;
  std::size_t pos_ = 0;
};

// Appends to an owned buffer.
class MemorySink final : public ByteSink {
 public:
  Result<void> write(ByteView data) override;
  const Bytes& bytes() const { return bytes_; }
  Bytes take() { return std::move(bytes_); }

 private:
  Bytes bytes_;
};

// Reads until `out` is full or the source ends; returns the count read.
Result<std::size_t> read_full(ByteSource& in, MutableByteView out);
// Reads the rest of the source; fails with kTooLarge past max_size.
Result<Bytes> read_all(ByteSource& in, std::size_t max_size);
// Copies the rest of the source into the sink; returns the count copied.
Result<std::uint64_t> copy(ByteSource& in, ByteSink& out);

}  // namespace arca
