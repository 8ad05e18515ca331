#include "store/fs/pack_blob_store.h"

#include <algorithm>
#include <cstdio>

#include "core/file.h"

namespace arca::store {

namespace fs = std::filesystem;
using pack::RawId;

namespace {

Error invalid_id() {
  return make_error(ErrorCode::kInvalidArgument, "malformed blob id");
}

Error not_found() {
  return make_error(ErrorCode::kNotFound, "blob not found");
}

bool same_record(const auto& slot, const PackBlobStore::Pack& pack, std::uint64_t offset) {
  return slot.pack.get() == &pack && slot.offset == offset;
}

std::string pack_name(std::uint32_t number) {
  char name[16];
  std::snprintf(name, sizeof name, "%08u", number);
  return name;
}

}  // namespace

class PackBlobWriter final : public BlobWriter {
 public:
  PackBlobWriter(PackBlobStore& store, RawId id, std::shared_ptr<PackBlobStore::Pack> pack)
      : store_(store),
        id_(id),
        pack_(std::move(pack)),
        start_(pack_->end),
        pos_(start_),
        buffer_(store_.take_buffer()) {
    auto header = pack::encode_header({pack::RecordState::kWriting, id_, 0, 0});
    std::copy(header.begin(), header.end(), buffer_.get());
    used_ = header.size();
  }
  ~PackBlobWriter() override {
    if (!done_)
      abandon();
    else if (pack_ != nullptr)
      give_back_unsynced();
    store_.give_buffer(std::move(buffer_));
  }
  PackBlobWriter(const PackBlobWriter&) = delete;
  PackBlobWriter& operator=(const PackBlobWriter&) = delete;

  // Small writes (an encryptor hands over one 64 KiB segment at a time) are gathered into
  // 1 MiB writes; a blob that fits in one buffer is written, header included, at commit.
  Result<void> write(ByteView data) override {
    ARCA_TRY(check_open());
    length_ += data.size();
    if (used_ + data.size() > kBufferSize)
      ARCA_TRY(flush());
    if (data.size() >= kBufferSize) {
      preallocate(pos_ + data.size());
      ARCA_TRY(pack_->file.pwrite_all(pos_, data));
      pos_ += data.size();
      return ok();
    }
    std::copy(data.begin(), data.end(), buffer_.get() + used_);
    used_ += data.size();
    return ok();
  }

  // The encryptor seals segments straight into the buffer.
  Result<MutableByteView> reserve_in_place(std::size_t size) override {
    ARCA_TRY(check_open());
    if (size > kBufferSize)
      return MutableByteView{};
    if (used_ + size > kBufferSize)
      ARCA_TRY(flush());
    reserved_ = size;
    return MutableByteView(buffer_.get() + used_, size);
  }
  Result<void> commit_in_place(std::size_t size) override {
    ARCA_TRY(check_open());
    if (size != reserved_)
      return make_error(ErrorCode::kInternal, "commit_in_place does not match the reservation");
    reserved_ = 0;
    used_ += size;
    length_ += size;
    return ok();
  }

  Result<void> commit() override {
    ARCA_TRY(commit_unsynced());
    return sync();
  }

  // What the buffer holds goes to the pack now and its writeback starts.
  Result<void> start_writeback() override {
    ARCA_TRY(check_open());
    if (reserved_ != 0)
      return ok();  // a segment is being sealed into the buffer
    const std::uint64_t from = pos_;
    ARCA_TRY(flush());
    if (pos_ > from)
      pack_->file.start_writeback(from, pos_ - from);
    return ok();
  }

  Result<void> commit_unsynced() override {
    ARCA_TRY(check_open());
    time_ms_ = store_.now_ms();
    // The id is claimed before a committed header exists, so a concurrent duplicate is refused
    // while its record is still in state writing (docs/formats/pack.md §3).
    ARCA_TRY(store_.reserve(id_, {pack_, start_, length_, time_ms_, true}));
    auto written = write_final(time_ms_);
    if (!written.ok()) {
      store_.release(id_, *pack_, start_);
      return written;  // the destructor cuts the record off
    }
    store_.publish(id_, *pack_, start_);
    done_ = true;
    pack_->end = pack::align_up(start_ + pack::kHeaderSize + length_);
    return ok();
  }

  // The writer keeps its pack until here, so no other record follows this one yet.
  Result<void> sync() override {
    if (!done_ || pack_ == nullptr)
      return make_error(ErrorCode::kInternal, "pack writer synced before commit_unsynced or twice");
    auto synced = pack_->file.datasync();
    if (!synced.ok()) {
      // Unknown what reached the disk: the record leaves the map and is cut off.
      store_.drop(id_, PackBlobStore::Slot{pack_, start_, length_, time_ms_, false});
      cut_off();
      return synced;
    }
    // The .idx is a hint (§4), and names only records already synced: a lost entry is found
    // again by the next open's scan, which verifies what it finds (§5).
    (void)pack_->idx.append(
        pack::encode_idx({pack::IdxKind::kCommitted, id_, start_, length_, time_ms_}));
    store_.return_pack(std::move(pack_));
    return ok();
  }

 private:
  static constexpr std::size_t kBufferSize = PackBlobStore::kWriteBufferSize;

  Result<void> check_open() const {
    if (done_)
      return make_error(ErrorCode::kInternal, "pack writer used after commit");
    return ok();
  }

  Result<void> write_final(std::int64_t time_ms) {
    auto header = pack::encode_header({pack::RecordState::kCommitted, id_, length_, time_ms});
    if (pos_ == start_) {
      std::copy(header.begin(), header.end(), buffer_.get());
      ARCA_TRY(flush());
    } else {
      ARCA_TRY(flush());
      ARCA_TRY(pack_->file.pwrite_all(start_, header));
    }
    return ok();
  }

  Result<void> flush() {
    if (used_ == 0)
      return ok();
    preallocate(pos_ + used_);
    ARCA_TRY(pack_->file.pwrite_all(pos_, ByteView(buffer_.get(), used_)));
    pos_ += used_;
    used_ = 0;
    return ok();
  }

  // Keeps the pack allocated kPreallocateAhead past `end` whenever a write would cross what
  // is allocated. A failure only loses the speed-up: the write allocates as it goes.
  void preallocate(std::uint64_t end) {
    if (end <= pack_->allocated)
      return;
    const std::uint64_t from = std::max(pack_->allocated, pos_);
    const std::uint64_t to = end + PackBlobStore::kPreallocateAhead;
    if (pack_->file.preallocate(from, to - from))
      pack_->allocated = to;
  }

  // Committed, never synced: the .idx names the record as unverified, so that the next open
  // checks it even once records behind it have entries (the scan starts after those, §5).
  void give_back_unsynced() {
    (void)pack_->idx.append(
        pack::encode_idx({pack::IdxKind::kUnverified, id_, start_, length_, time_ms_}));
    store_.return_pack(std::move(pack_));
  }

  void abandon() {
    done_ = true;
    cut_off();
  }

  // Gives the pack back without this record: nothing reached the pack (the usual case for an
  // abandoned writer: all of it was still in the buffer), or it is truncated away.
  void cut_off() {
    if (pos_ == start_ || pack_->file.truncate(start_).ok()) {
      if (pos_ != start_)
        pack_->allocated = start_;  // the truncation freed the preallocated blocks too
      pack_->end = start_;
      store_.return_pack(std::move(pack_));
    } else {
      store_.keep_tail(std::move(pack_), start_);
    }
  }

  PackBlobStore& store_;
  RawId id_;
  std::shared_ptr<PackBlobStore::Pack> pack_;
  std::uint64_t start_;  // record offset
  std::uint64_t pos_;    // where the buffer's bytes go in the pack
  std::uint64_t length_ = 0;
  std::int64_t time_ms_ = 0;
  std::unique_ptr<std::uint8_t[]> buffer_;  // kBufferSize bytes
  std::size_t used_ = 0;
  std::size_t reserved_ = 0;
  bool done_ = false;
};

namespace {

class PackBlobReader final : public BlobReader {
 public:
  PackBlobReader(std::shared_ptr<PackBlobStore::Pack> pack, std::uint64_t data, std::uint64_t size)
      : pack_(std::move(pack)), data_(data), size_(size) {}
  std::uint64_t size() const override { return size_; }
  Result<std::size_t> read_at(std::uint64_t offset, MutableByteView out) override {
    if (offset >= size_)
      return std::size_t{0};
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), size_ - offset));
    return pack_->file.pread_full(data_ + offset, out.first(n));
  }

 private:
  std::shared_ptr<PackBlobStore::Pack> pack_;
  std::uint64_t data_;
  std::uint64_t size_;
};

}  // namespace

PackBlobStore::PackBlobStore(fs::path dir, PackOptions options)
    : dir_(std::move(dir)), options_(options) {}

PackBlobStore::~PackBlobStore() = default;

std::int64_t PackBlobStore::now_ms() const {
  const Clock& clock = options_.clock != nullptr ? *options_.clock : system_clock_;
  return to_unix_ms(clock.now());
}

Result<std::unique_ptr<BlobWriter>> PackBlobStore::create(const BlobId& id, const BlobScope&) {
  auto raw = pack::parse_id(id);
  if (!raw)
    return invalid_id();
  {
    std::shared_lock lock(map_mutex_);
    auto it = map_.find(*raw);
    if (it != map_.end() && !it->second.reserved)
      return make_error(ErrorCode::kAlreadyExists, "blob exists");
  }
  auto pack = ARCA_TRY(take_pack());
  return std::unique_ptr<BlobWriter>(std::make_unique<PackBlobWriter>(*this, *raw, pack));
}

Result<std::shared_ptr<PackBlobStore::Pack>> PackBlobStore::take_pack() {
  {
    std::lock_guard lock(pool_mutex_);
    if (!free_.empty()) {
      auto pack = std::move(free_.back());
      free_.pop_back();
      return pack;
    }
  }
  return create_pack();
}

Result<std::shared_ptr<PackBlobStore::Pack>> PackBlobStore::create_pack() {
  for (;;) {
    std::uint32_t number = 0;
    {
      std::lock_guard lock(pool_mutex_);
      number = next_number_++;
    }
    auto created = pack::PackFile::open(dir_ / (pack_name(number) + ".pack"),
                                        pack::PackFile::Open::kCreateExclusive);
    if (!created.ok() && created.error().code == ErrorCode::kAlreadyExists)
      continue;  // a stray file with that number: take the next one
    auto pack = std::make_shared<Pack>(
        Pack{number, ARCA_TRY(std::move(created)),
             ARCA_TRY(pack::PackFile::open(dir_ / (pack_name(number) + ".idx"),
                                           pack::PackFile::Open::kAppend)),
             0});
    ARCA_TRY(sync_directory(dir_));
    return pack;
  }
}

void PackBlobStore::return_pack(std::shared_ptr<Pack> pack) {
  if (pack->end >= options_.pack_size_limit) {
    // Retired: its records stay readable through the map's references.
    if (pack->allocated > pack->end)
      pack->file.release_preallocated();
    return;
  }
  std::lock_guard lock(pool_mutex_);
  free_.push_back(std::move(pack));
}

std::unique_ptr<std::uint8_t[]> PackBlobStore::take_buffer() {
  {
    std::lock_guard lock(pool_mutex_);
    if (!spare_buffers_.empty()) {
      auto buffer = std::move(spare_buffers_.back());
      spare_buffers_.pop_back();
      return buffer;
    }
  }
  return std::make_unique_for_overwrite<std::uint8_t[]>(kWriteBufferSize);
}

void PackBlobStore::give_buffer(std::unique_ptr<std::uint8_t[]> buffer) {
  constexpr std::size_t kMaxSpare = 8;  // more than the writers that usually run at once
  std::lock_guard lock(pool_mutex_);
  if (buffer && spare_buffers_.size() < kMaxSpare)
    spare_buffers_.push_back(std::move(buffer));
}

void PackBlobStore::keep_tail(std::shared_ptr<Pack> pack, std::uint64_t offset) {
  std::lock_guard lock(pool_mutex_);
  tails_.push_back({std::move(pack), offset});
}

Result<void> PackBlobStore::reserve(const RawId& id, const Slot& slot) {
  std::unique_lock lock(map_mutex_);
  if (!map_.try_emplace(id, slot).second)
    return make_error(ErrorCode::kAlreadyExists, "blob exists");
  return ok();
}

void PackBlobStore::release(const RawId& id, const Pack& pack, std::uint64_t offset) {
  std::unique_lock lock(map_mutex_);
  auto it = map_.find(id);
  if (it != map_.end() && it->second.reserved && same_record(it->second, pack, offset))
    map_.erase(it);
}

void PackBlobStore::publish(const RawId& id, const Pack& pack, std::uint64_t offset) {
  std::unique_lock lock(map_mutex_);
  auto it = map_.find(id);
  if (it != map_.end() && same_record(it->second, pack, offset))
    it->second.reserved = false;
}

bool PackBlobStore::header_matches(const RawId& id, const Slot& slot) {
  std::array<std::uint8_t, pack::kHeaderSize> bytes{};
  auto n = slot.pack->file.pread_full(slot.offset, bytes);
  if (!n.ok() || n.value() != bytes.size())
    return false;
  auto header = pack::decode_header(bytes);
  return header && header->state == pack::RecordState::kCommitted && header->id == id &&
         header->length == slot.length;
}

void PackBlobStore::drop(const RawId& id, const Slot& slot) {
  std::unique_lock lock(map_mutex_);
  auto it = map_.find(id);
  if (it != map_.end() && !it->second.reserved && same_record(it->second, *slot.pack, slot.offset))
    map_.erase(it);
}

Result<PackBlobStore::Slot> PackBlobStore::find_checked(const RawId& id) {
  Slot slot;
  {
    std::shared_lock lock(map_mutex_);
    auto it = map_.find(id);
    if (it == map_.end() || it->second.reserved)
      return not_found();
    slot = it->second;
  }
  // The .idx may name a record removed since (its tombstone lost in a crash).
  if (!header_matches(id, slot)) {
    drop(id, slot);
    return not_found();
  }
  return slot;
}

Result<std::unique_ptr<BlobReader>> PackBlobStore::open(const BlobId& id) {
  auto raw = pack::parse_id(id);
  if (!raw)
    return invalid_id();
  Slot slot = ARCA_TRY(find_checked(*raw));
  return std::unique_ptr<BlobReader>(
      std::make_unique<PackBlobReader>(slot.pack, slot.offset + pack::kHeaderSize, slot.length));
}

Result<PackBlobStore::Location> PackBlobStore::locate(const BlobId& id) {
  auto raw = pack::parse_id(id);
  if (!raw)
    return invalid_id();
  Slot slot = ARCA_TRY(find_checked(*raw));
  return Location{dir_ / (pack_name(slot.pack->number) + ".pack"), slot.offset + pack::kHeaderSize,
                  slot.length};
}

Result<void> PackBlobStore::remove(const BlobId& id) {
  auto raw = pack::parse_id(id);
  if (!raw)
    return invalid_id();
  Slot slot = ARCA_TRY(find_checked(*raw));
  {
    // Out of the map first: readers and a concurrent remove see it gone from now on.
    std::unique_lock lock(map_mutex_);
    auto it = map_.find(*raw);
    if (it == map_.end() || it->second.reserved ||
        !same_record(it->second, *slot.pack, slot.offset))
      return not_found();
    map_.erase(it);
  }
  const pack::PackFile& file = slot.pack->file;
  auto erased = [&]() -> Result<void> {
    ARCA_TRY(file.erase(slot.offset + pack::kHeaderSize, slot.length));
    ARCA_TRY(file.pwrite_all(slot.offset, pack::encode_header({pack::RecordState::kRemoved, *raw,
                                                               slot.length, slot.time_ms})));
    return file.datasync();
  }();
  if (!erased.ok()) {
    // Still committed on disk: visible again, so the removal can be retried.
    std::unique_lock lock(map_mutex_);
    map_.try_emplace(*raw, slot);
    return erased;
  }
  (void)slot.pack->idx.append(
      pack::encode_idx({pack::IdxKind::kRemoved, *raw, slot.offset, slot.length, slot.time_ms}));
  return ok();
}

Result<void> PackBlobStore::list(const std::function<Result<void>(const BlobInfo&)>& visit) {
  std::vector<std::pair<RawId, Slot>> snapshot;
  {
    std::shared_lock lock(map_mutex_);
    snapshot.reserve(map_.size());
    for (const auto& [id, slot] : map_) {
      if (!slot.reserved)
        snapshot.emplace_back(id, slot);
    }
  }
  for (const auto& [id, slot] : snapshot) {
    if (!header_matches(id, slot)) {
      drop(id, slot);
      continue;
    }
    ARCA_TRY(
        visit(BlobInfo{pack::format_id(id),
                       Clock::TimePoint(std::chrono::milliseconds(slot.time_ms)), slot.length}));
  }
  return ok();
}

Result<std::uint64_t> PackBlobStore::remove_incomplete() {
  std::vector<Tail> tails;
  {
    std::lock_guard lock(pool_mutex_);
    tails.swap(tails_);
  }
  std::uint64_t cut = 0;
  for (std::size_t i = 0; i < tails.size(); ++i) {
    auto truncated = tails[i].pack->file.truncate(tails[i].offset);
    if (!truncated.ok()) {
      std::lock_guard lock(pool_mutex_);
      tails_.insert(tails_.end(), tails.begin() + static_cast<long>(i), tails.end());
      return truncated.error();
    }
    tails[i].pack->end = tails[i].offset;
    return_pack(std::move(tails[i].pack));
    ++cut;
  }
  return cut;
}

}  // namespace arca::store
