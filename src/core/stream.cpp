#include "core/stream.h"

#include <algorithm>
#include <cstring>

namespace arca {

Result<MutableByteView> ByteSink::reserve_in_place(std::size_t) {
  return MutableByteView{};
}

Result<void> ByteSink::commit_in_place(std::size_t) {
  return make_error(ErrorCode::kInternal, "commit_in_place without a reservation");
}

Result<std::size_t> MemorySource::read(MutableByteView out) {
  std::size_t n = std::min(out.size(), data_.size() - pos_);
  if (n != 0)
    std::memcpy(out.data(), data_.data() + pos_, n);
  pos_ += n;
  return n;
}

Result<void> MemorySink::write(ByteView data) {
  bytes_.insert(bytes_.end(), data.begin(), data.end());
  return ok();
}

Result<std::size_t> read_full(ByteSource& in, MutableByteView out) {
  std::size_t done = 0;
  while (done < out.size()) {
    std::size_t n = ARCA_TRY(in.read(out.subspan(done)));
    if (n == 0)
      break;
    done += n;
  }
  return done;
}

Result<Bytes> read_all(ByteSource& in, std::size_t max_size) {
  Bytes out;
  std::size_t chunk = 64 * 1024;
  for (;;) {
    std::size_t old = out.size();
    out.resize(old + chunk);
    std::size_t n = ARCA_TRY(in.read(MutableByteView(out).subspan(old)));
    out.resize(old + n);
    if (n == 0)
      return out;
    if (out.size() > max_size)
      return make_error(ErrorCode::kTooLarge, "stream exceeds limit");
  }
}

Result<std::uint64_t> copy(ByteSource& in, ByteSink& out) {
  Bytes buf(256 * 1024);
  std::uint64_t total = 0;
  for (;;) {
    std::size_t n = ARCA_TRY(in.read(buf));
    if (n == 0)
      return total;
    ARCA_TRY(out.write(ByteView(buf).first(n)));
    total += n;
  }
}

}  // namespace arca
