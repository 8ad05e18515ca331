// A ByteSource over a string that hands out at most `step` bytes per read, as a network body or
// a multipart source with its part headers does, and counts its reads.
#pragma once

#include <algorithm>
#include <cstring>
#include <string>

#include "core/stream.h"

namespace arca::test {

class TrickleSource final : public ByteSource {
 public:
  TrickleSource(std::string data, std::size_t step) : data_(std::move(data)), step_(step) {}
  Result<std::size_t> read(MutableByteView out) override {
    std::size_t n = std::min({step_, out.size(), data_.size() - pos_});
    std::memcpy(out.data(), data_.data() + pos_, n);
    pos_ += n;
    ++reads_;
    return n;
  }
  std::size_t reads() const { return reads_; }

 private:
  std::string data_;
  std::size_t step_;
  std::size_t pos_ = 0;
  std::size_t reads_ = 0;
};

}  // namespace arca::test
