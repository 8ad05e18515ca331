#include "store/encrypted/encrypted_blob_store.h"

#include <algorithm>
#include <optional>

#include "crypto/aead.h"
#include "crypto/segmented.h"

namespace arca::store {
namespace {

constexpr std::size_t kDataKeySize = 32;

// The data key's wrap context: "blob:" ‖ blob id (docs/formats/blob.md §3).
std::string wrap_context(const BlobId& id) {
  return "blob:" + id.str();
}

Error blob_error(const BlobId& id, Error e) {
  return std::move(e).context("blob " + id.str());
}

class EncryptedBlobWriter final : public BlobWriter {
 public:
  EncryptedBlobWriter(std::unique_ptr<BlobWriter> inner, BlobId id)
      : inner_(std::move(inner)), id_(std::move(id)) {}

  Result<void> start(const SecretBytes& data_key, const crypto::BlobHeader& header) {
    auto enc = crypto::SegmentedEncryptor::create(data_key, header, as_bytes(id_.str()), *inner_);
    if (!enc.ok())
      return blob_error(id_, std::move(enc).error());
    encryptor_.emplace(std::move(enc).take());
    return ok();
  }
  Result<void> write(ByteView data) override { return encryptor_->write(data); }
  Result<void> commit() override {
    ARCA_TRY(encryptor_->finish());
    return inner_->commit();
  }
  Result<void> commit_unsynced() override {
    ARCA_TRY(encryptor_->finish());
    return inner_->commit_unsynced();
  }
  Result<void> sync() override { return inner_->sync(); }
  Result<void> start_writeback() override { return inner_->start_writeback(); }

 private:
  std::unique_ptr<BlobWriter> inner_;  // outlives encryptor_, which writes into it
  BlobId id_;
  std::optional<crypto::SegmentedEncryptor> encryptor_;
};

class EncryptedBlobReader final : public BlobReader {
 public:
  EncryptedBlobReader(std::unique_ptr<BlobReader> inner, crypto::SegmentedDecryptor decryptor)
      : inner_(std::move(inner)), decryptor_(std::move(decryptor)) {}
  std::uint64_t size() const override { return decryptor_.plaintext_size(); }
  Result<std::size_t> read_at(std::uint64_t offset, MutableByteView out) override {
    return decryptor_.read_at(offset, out);
  }
  // GCM per segment, the blob id in every segment's associated data and in the data key's wrap,
  // the length by the final segment (docs/formats/blob.md).
  bool authenticated() const override { return true; }

 private:
  std::unique_ptr<BlobReader> inner_;  // read by decryptor_ through a pointer
  crypto::SegmentedDecryptor decryptor_;
};

Result<Bytes> read_prefix(BlobReader& reader, std::size_t size) {
  Bytes out(size);
  std::size_t got = 0;
  while (got < size) {
    std::size_t n = ARCA_TRY(reader.read_at(got, MutableByteView(out).subspan(got)));
    if (n == 0)
      return make_error(ErrorCode::kIntegrity, "shorter than its size");
    got += n;
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<BlobWriter>> EncryptedBlobStore::create(const BlobId& id,
                                                               const BlobScope& scope) {
  if (!is_valid_blob_id(id))
    return make_error(ErrorCode::kInvalidArgument, "blob id must be 32 lower-case hex characters");
  SecretBytes patient_key = ARCA_TRY(keys_.patient_key(scope, CreateIfMissing::kYes));
  SecretBytes data_key(random_.bytes(kDataKeySize));
  crypto::BlobHeader header;
  header.segment_size = options_.segment_size;
  random_.fill(header.nonce_prefix);
  header.key_id = keys_.patient_key_id(scope).str();
  header.wrapped_key =
      ARCA_TRY(crypto::wrap_key(patient_key, data_key, as_bytes(wrap_context(id)), random_));

  auto inner = ARCA_TRY(inner_.create(id, scope));
  auto writer = std::make_unique<EncryptedBlobWriter>(std::move(inner), id);
  ARCA_TRY(writer->start(data_key, header));
  return std::unique_ptr<BlobWriter>(std::move(writer));
}

Result<std::unique_ptr<BlobReader>> EncryptedBlobStore::open(const BlobId& id) {
  std::unique_ptr<BlobReader> inner = ARCA_TRY(inner_.open(id));
  const std::uint64_t stored = inner->size();
  auto prefix = read_prefix(*inner, std::min<std::uint64_t>(stored, crypto::kMaxHeaderSize));
  if (!prefix.ok())
    return blob_error(id, std::move(prefix).error());
  auto parsed = crypto::parse_header(*prefix);
  if (!parsed.ok())
    return blob_error(id, std::move(parsed).error());

  auto patient_key = keys_.patient_key_by_id(VaultKeyId(parsed->header.key_id));
  if (!patient_key.ok()) {
    if (patient_key.error().code == ErrorCode::kNotFound)
      return make_error(ErrorCode::kNotFound, "blob " + id.str() + ": patient key erased");
    return blob_error(id, std::move(patient_key).error());
  }
  auto data_key =
      crypto::unwrap_key(*patient_key, parsed->header.wrapped_key, as_bytes(wrap_context(id)));
  if (!data_key.ok())
    return blob_error(id, std::move(data_key).error());

  BlobReader* raw = inner.get();
  auto decryptor = crypto::SegmentedDecryptor::open(
      *data_key, *parsed, as_bytes(id.str()),
      [raw](std::uint64_t offset, MutableByteView out) { return raw->read_at(offset, out); },
      stored);
  if (!decryptor.ok())
    return blob_error(id, std::move(decryptor).error());
  return std::unique_ptr<BlobReader>(
      std::make_unique<EncryptedBlobReader>(std::move(inner), std::move(decryptor).take()));
}

}  // namespace arca::store
