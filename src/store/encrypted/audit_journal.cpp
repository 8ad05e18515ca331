#include "store/encrypted/audit_journal.h"

#include <stdio.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <string_view>

#include "core/byte_order.h"
#include "crypto/hash.h"

namespace arca::store {

namespace {

constexpr std::string_view kMagic = "ARCA-AJ1";
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kSaltSize = 32;
constexpr std::size_t kSaltOffset = 16;                 // magic(8) ‖ version(4) ‖ flags(4)
constexpr std::size_t kSealedHeader = 16 + kSaltSize;   // what the header's tag covers
constexpr std::size_t kPrefixSize = 4 + 8 + 8;          // length ‖ counter ‖ seq
constexpr std::size_t kMinPlain = 8 + 8 + 15 * 4;       // a record of empty fields
constexpr std::uint32_t kMaxSealed = 1U << 20;          // far above any record
constexpr std::size_t kMaxFile = std::size_t{1} << 31;  // read whole at open
constexpr std::string_view kFileKeyInfo = "arca audit-journal file v1";
// Counters within one file grow by one per frame (a failed write skips a few): a larger jump is
// not a frame, which keeps the search past a damaged frame from decrypting random bytes.
constexpr std::uint64_t kMaxCounterStep = std::uint64_t{1} << 32;

std::array<std::uint8_t, crypto::kGcmNonceSize> nonce(std::uint64_t counter) {
  std::array<std::uint8_t, crypto::kGcmNonceSize> n{};
  for (std::size_t i = 0; i < 8; ++i)
    n[4 + i] = static_cast<std::uint8_t>(counter >> (56 - 8 * i));
  return n;
}

// A record's plaintext: seq, time_ms, then every text field as length ‖ bytes and every list as
// count ‖ elements, in the order of AuditRecord (docs/formats/audit-chain.md, "Journal").
void put_text(Bytes& out, const std::string& s) {
  append_be32(out, static_cast<std::uint32_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}
void put_list(Bytes& out, const std::vector<std::string>& list) {
  append_be32(out, static_cast<std::uint32_t>(list.size()));
  for (const std::string& s : list)
    put_text(out, s);
}

// Encodes `r` into `out` (cleared first; its capacity is kept from record to record).
void encode(const AuditRecord& r, Bytes& out) {
  out.clear();
  append_be64(out, r.seq);
  append_be64(out, static_cast<std::uint64_t>(r.time_ms));
  for (const std::string* s :
       {&r.actor, &r.tenant, &r.action, &r.outcome, &r.error_code, &r.detail})
    put_text(out, *s);
  for (const auto* list : {&r.patients, &r.studies, &r.series, &r.instances})
    put_list(out, *list);
  for (const std::string* s :
       {&r.client_address, &r.user_agent, &r.request_id, &r.prev_hash, &r.hash})
    put_text(out, *s);
}

class Decoder {
 public:
  explicit Decoder(ByteView in) : in_(in) {}
  bool u64(std::uint64_t& v) {
    if (in_.size() - at_ < 8)
      return false;
    v = load_be64(in_.data() + at_);
    at_ += 8;
    return true;
  }
  bool text(std::string& s) {
    if (in_.size() - at_ < 4)
      return false;
    const auto n = static_cast<std::size_t>(load_be32(in_.data() + at_));
    at_ += 4;
    if (in_.size() - at_ < n)
      return false;
    s.assign(as_chars(in_.subspan(at_, n)));
    at_ += n;
    return true;
  }
  bool list(std::vector<std::string>& list) {
    if (in_.size() - at_ < 4)
      return false;
    const std::uint64_t n = load_be32(in_.data() + at_);
    at_ += 4;
    if (n > (in_.size() - at_) / 4)
      return false;
    list.resize(static_cast<std::size_t>(n));
    return std::all_of(list.begin(), list.end(), [&](std::string& s) { return text(s); });
  }
  bool done() const { return at_ == in_.size(); }

 private:
  ByteView in_;
  std::size_t at_ = 0;
};

std::optional<AuditRecord> decode(ByteView in) {
  AuditRecord r;
  Decoder d(in);
  std::uint64_t time = 0;
  bool ok = d.u64(r.seq) && d.u64(time);
  r.time_ms = static_cast<std::int64_t>(time);
  for (std::string* s : {&r.actor, &r.tenant, &r.action, &r.outcome, &r.error_code, &r.detail})
    ok = ok && d.text(*s);
  for (auto* list : {&r.patients, &r.studies, &r.series, &r.instances})
    ok = ok && d.list(*list);
  for (std::string* s : {&r.client_address, &r.user_agent, &r.request_id, &r.prev_hash, &r.hash})
    ok = ok && d.text(*s);
  if (!ok || !d.done())
    return std::nullopt;
  return r;
}

Result<crypto::Aes256Gcm> file_cipher(const SecretBytes& key, ByteView salt) {
  if (key.reveal().size() != crypto::kAesKeySize)
    return make_error(ErrorCode::kInvalidArgument, "audit journal key must be 32 bytes");
  SecretBytes file_key =
      ARCA_TRY(crypto::hkdf_sha256(key.reveal(), salt, as_bytes(kFileKeyInfo), 32));
  return crypto::Aes256Gcm::create(file_key.reveal());
}

// Where the last intact frame left off: the next one has a higher counter and seq.
struct Position {
  std::uint64_t counter = 0;
  std::uint64_t seq = 0;
};

// One frame at `at`, if it is whole, authentic and comes after `after`.
struct Frame {
  AuditRecord record;
  std::uint64_t counter = 0;
  std::size_t end = 0;
};

std::optional<Frame> frame_at(ByteView file, std::size_t at, crypto::Aes256Gcm& gcm,
                              Position after) {
  if (file.size() - at < kPrefixSize)
    return std::nullopt;
  const auto sealed_size = static_cast<std::size_t>(load_be32(file.data() + at));
  const std::uint64_t counter = load_be64(file.data() + at + 4);
  const std::uint64_t seq = load_be64(file.data() + at + 12);
  if (sealed_size < kMinPlain + crypto::kGcmTagSize || sealed_size > kMaxSealed ||
      file.size() - at - kPrefixSize < sealed_size || counter <= after.counter ||
      counter - after.counter > kMaxCounterStep || seq <= after.seq) {
    return std::nullopt;
  }
  Bytes aad(file.begin(), file.begin() + AuditJournal::kHeaderSize);
  aad.insert(aad.end(), file.begin() + static_cast<std::ptrdiff_t>(at),
             file.begin() + static_cast<std::ptrdiff_t>(at + kPrefixSize));
  Bytes plain(sealed_size - crypto::kGcmTagSize);
  if (!gcm.open(nonce(counter), aad, file.subspan(at + kPrefixSize, sealed_size), plain).ok())
    return std::nullopt;
  auto record = decode(plain);
  if (!record || record->seq != seq)
    return std::nullopt;
  return Frame{std::move(*record), counter, at + kPrefixSize + sealed_size};
}

}  // namespace

AuditJournal::AuditJournal(File file, crypto::Aes256Gcm gcm, const Header& header,
                           std::filesystem::path dir)
    : file_(std::make_shared<File>(std::move(file))),
      gcm_(std::move(gcm)),
      header_(header),
      dir_(std::move(dir)) {}
AuditJournal::AuditJournal(AuditJournal&&) noexcept = default;
AuditJournal& AuditJournal::operator=(AuditJournal&&) noexcept = default;
AuditJournal::~AuditJournal() = default;

Result<AuditJournal> AuditJournal::create(const std::filesystem::path& file, const SecretBytes& key,
                                          Random& random, Writes writes) {
  Bytes header;
  header.reserve(kHeaderSize);
  header.insert(header.end(), kMagic.begin(), kMagic.end());
  append_be32(header, kVersion);
  append_be32(header, 0);
  Bytes salt = random.bytes(kSaltSize);
  header.insert(header.end(), salt.begin(), salt.end());
  auto gcm = ARCA_TRY(file_cipher(key, salt));
  // The header's own tag (counter 0, no plaintext): a wrong key or an edited header is told
  // apart from a torn record.
  header.resize(kHeaderSize);
  ARCA_TRY(gcm.seal(nonce(0), ByteView(header).first(kSealedHeader), {},
                    MutableByteView(header).subspan(kSealedHeader)));
  auto tmp = file;
  tmp += ".tmp";
  std::error_code ec;
  std::filesystem::remove(tmp, ec);
  File f = ARCA_TRY(File::open(tmp, File::Mode::kCreateExclusive));  // 0600
  ARCA_TRY(f.write_all(header));
  ARCA_TRY(f.sync());
  if (::rename(tmp.c_str(), file.c_str()) != 0)
    return errno_error(errno, "audit journal: rename");
  // From here the new file is the journal: a failed directory fsync is retried by sync().
  Header h{};
  std::copy(header.begin(), header.end(), h.begin());
  AuditJournal journal(std::move(f), std::move(gcm), h,
                       file.has_parent_path() ? file.parent_path() : ".");
  journal.dir_synced_ = sync_directory(journal.dir_).ok();
  const int fd = journal.file_->fd();
  if (writes == Writes::kMappedWhereSafe && MappedAppendArea::supported(fd))
    journal.area_.emplace(fd);
  return journal;
}

Result<void> AuditJournal::append(const std::vector<AuditRecord>& records) {
  if (broken_) {
    return make_error(ErrorCode::kUnavailable,
                      "audit journal: unusable since a failed write could not be undone");
  }
  // The buffers keep their capacity between appends: no allocation per record.
  Bytes& out = frames_;
  Bytes& plain = plain_;
  Bytes& aad = aad_;
  out.clear();
  if (aad.size() < kHeaderSize)
    aad.assign(header_.begin(), header_.end());
  for (const AuditRecord& r : records) {
    encode(r, plain);
    const std::size_t at = out.size();
    append_be32(out, static_cast<std::uint32_t>(plain.size() + crypto::kGcmTagSize));
    append_be64(out, next_counter_);
    append_be64(out, r.seq);
    aad.resize(kHeaderSize);
    aad.insert(aad.end(), out.begin() + static_cast<std::ptrdiff_t>(at), out.end());
    out.resize(out.size() + plain.size() + crypto::kGcmTagSize);
    // The counter moves on even if the write below fails: its nonce may have reached the disk.
    ARCA_TRY(gcm_.seal(nonce(next_counter_++), aad, plain,
                       MutableByteView(out).subspan(at + kPrefixSize)));
  }
  if (area_) {
    // Nothing is copied unless the whole batch has room: a failure leaves the journal as it was.
    auto reserved = area_->reserve(size_ + out.size());
    if (!reserved.ok())
      return reserved.error().context("audit journal");
    area_->copy(size_, out);
    size_ += out.size();
    return ok();
  }
  auto written = file_->write_at(size_, out);
  if (!written.ok()) {
    if (!file_->truncate(size_).ok())
      broken_ = true;
    return written.error().context("audit journal");
  }
  size_ += out.size();
  return ok();
}

Result<void> AuditJournal::sync() {
  ARCA_TRY(sync_directory_once());
  auto r = file_->sync();
  if (!r.ok())
    return r.error().context("audit journal");
  return ok();
}

Result<void> AuditJournal::sync_directory_once() {
  if (!dir_synced_) {
    auto d = sync_directory(dir_);
    if (!d.ok())
      return d.error().context("audit journal");
    dir_synced_ = true;
  }
  return ok();
}

Result<JournalContents> AuditJournal::read(const std::filesystem::path& file,
                                           const SecretBytes& key) {
  const Bytes bytes = ARCA_TRY(read_file(file, kMaxFile));
  const ByteView all(bytes);
  if (all.size() < kHeaderSize || as_chars(all.first(kMagic.size())) != kMagic ||
      load_be32(all.data() + kMagic.size()) != kVersion) {
    return make_error(ErrorCode::kIntegrity,
                      "audit journal " + file.string() + ": not an audit journal (bad header)");
  }
  auto gcm = ARCA_TRY(file_cipher(key, all.subspan(kSaltOffset, kSaltSize)));
  if (!gcm.open(nonce(0), all.first(kSealedHeader), all.subspan(kSealedHeader, 16), {}).ok()) {
    return make_error(ErrorCode::kIntegrity, "audit journal " + file.string() +
                                                 ": header fails authentication (another "
                                                 "archive's key, or an edited header)");
  }
  JournalContents out;
  std::size_t at = kHeaderSize;
  Position last;
  while (at < all.size()) {
    auto f = frame_at(all, at, gcm, last);
    if (!f)
      break;
    last = Position{f->counter, f->record.seq};
    at = f->end;
    out.records.push_back(std::move(f->record));
  }
  out.intact_bytes = at;
  // What follows the last intact frame is a torn write only if no intact frame follows it.
  for (std::size_t p = at + 1; p + kPrefixSize < all.size(); ++p) {
    if (frame_at(all, p, gcm, last)) {
      return make_error(ErrorCode::kIntegrity,
                        "audit journal " + file.string() + ": the bytes at offset " +
                            std::to_string(at) + " (after record " + std::to_string(last.seq) +
                            ") are damaged and intact records follow at offset " +
                            std::to_string(p) + ": the journal was altered");
    }
  }
  // Zeros after the frames are space reserved for appends (a mapped journal), or blocks the
  // disk never wrote: nothing was cut short that could be read.
  const auto rest = all.subspan(at);
  out.torn = std::any_of(rest.begin(), rest.end(), [](std::uint8_t b) { return b != 0; });
  return out;
}

}  // namespace arca::store
