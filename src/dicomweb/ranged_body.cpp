#include "dicomweb/ranged_body.h"

namespace arca::dicomweb {
namespace {

// `length` bytes from `offset` of a blob, read on demand; shares the reader with the RangedBody
// that made it.
class BlobSlice final : public ByteSource {
 public:
  BlobSlice(std::shared_ptr<store::BlobReader> reader, std::uint64_t offset, std::uint64_t length)
      : reader_(std::move(reader)), pos_(offset), left_(length) {}
  Result<std::size_t> read(MutableByteView out) override {
    if (left_ == 0 || out.empty())
      return std::size_t{0};
    auto want = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), left_));
    std::size_t n = ARCA_TRY(reader_->read_at(pos_, out.first(want)));
    if (n == 0)
      return make_error(ErrorCode::kIntegrity, "stored object shorter than recorded");
    pos_ += n;
    left_ -= n;
    return n;
  }

 private:
  std::shared_ptr<store::BlobReader> reader_;
  std::uint64_t pos_;
  std::uint64_t left_;
};

class SharedSlice final : public ByteSource {
 public:
  SharedSlice(std::shared_ptr<const Bytes> bytes, std::uint64_t offset, std::uint64_t length)
      : bytes_(std::move(bytes)),
        source_(ByteView(*bytes_).subspan(static_cast<std::size_t>(offset),
                                          static_cast<std::size_t>(length))) {}
  Result<std::size_t> read(MutableByteView out) override { return source_.read(out); }

 private:
  std::shared_ptr<const Bytes> bytes_;
  MemorySource source_;
};

}  // namespace

http::RangedBody stored_object_body(service::OpenedInstance opened) {
  // Shared: the opener below may hand the reader to a VerifiedSource or to slices.
  auto state = std::make_shared<service::OpenedInstance>(std::move(opened));
  const std::uint64_t size = state->reader->size();
  return {size,
          [state, size](std::uint64_t offset,
                        std::uint64_t length) -> Result<std::unique_ptr<ByteSource>> {
            if (offset == 0 && length == size && state->reader) {
              return std::unique_ptr<ByteSource>(std::make_unique<service::VerifiedSource>(
                  std::move(state->reader), state->record));
            }
            if (!state->reader)
              return make_error(ErrorCode::kInternal, "stored object already handed out");
            std::shared_ptr<store::BlobReader> reader(std::move(state->reader));
            return std::unique_ptr<ByteSource>(
                std::make_unique<BlobSlice>(std::move(reader), offset, length));
          }};
}

http::RangedBody stored_slice_body(service::OpenedInstance opened, std::uint64_t offset,
                                   std::uint64_t length) {
  std::shared_ptr<store::BlobReader> reader(std::move(opened.reader));
  return {
      length,
      [reader, offset](std::uint64_t at, std::uint64_t n) -> Result<std::unique_ptr<ByteSource>> {
        return std::unique_ptr<ByteSource>(std::make_unique<BlobSlice>(reader, offset + at, n));
      }};
}

http::RangedBody memory_body(std::shared_ptr<const Bytes> bytes) {
  const std::uint64_t size = bytes->size();
  return {
      size,
      [bytes](std::uint64_t offset, std::uint64_t length) -> Result<std::unique_ptr<ByteSource>> {
        return std::unique_ptr<ByteSource>(std::make_unique<SharedSlice>(bytes, offset, length));
      }};
}

}  // namespace arca::dicomweb
