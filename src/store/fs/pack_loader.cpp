// PackBlobStore::open: the recovery of docs/formats/pack.md §5 — the .idx hints, then a scan of
// each pack from where its hints end — and what it leaves for the caller (the unverified blobs).
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <map>

#include "core/file.h"
#include "store/fs/pack_blob_store.h"

namespace arca::store {

namespace fs = std::filesystem;
using pack::RawId;

namespace {

// True if it created the directory.
Result<bool> make_dir(const fs::path& dir) {
  if (::mkdir(dir.c_str(), 0700) == 0)
    return true;
  if (errno != EEXIST)
    return errno_error(errno, "create blob directory");
  return false;
}

// "00000042.pack" → 42; nullopt for any other name.
std::optional<std::uint32_t> pack_number(const std::string& name) {
  if (name.size() != 13 || !name.ends_with(".pack"))
    return std::nullopt;
  std::uint32_t n = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    if (name[i] < '0' || name[i] > '9')
      return std::nullopt;
    n = n * 10 + static_cast<std::uint32_t>(name[i] - '0');
  }
  return n;
}

}  // namespace

class PackLoader {
 public:
  explicit PackLoader(PackBlobStore& store) : store_(store) {}

  Result<void> load_all() {
    std::vector<std::uint32_t> numbers;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(store_.dir_, ec)) {
      if (auto n = pack_number(entry.path().filename().string()))
        numbers.push_back(*n);
    }
    if (ec)
      return make_error(ErrorCode::kIo, "list packs: " + ec.message());
    std::sort(numbers.begin(), numbers.end());
    for (std::uint32_t n : numbers)
      ARCA_TRY(load(n));
    // Unverified are the records the map ended up with (add() keeps an id's later commit).
    for (const auto& [id, where] : unverified_) {
      auto it = store_.map_.find(id);
      if (it != store_.map_.end() && it->second.pack->number == where.first &&
          it->second.offset == where.second)
        store_.unverified_.push_back(id);
    }
    if (!numbers.empty())
      store_.next_number_ = numbers.back() + 1;
    return ok();
  }

 private:
  using Pack = PackBlobStore::Pack;
  using Slot = PackBlobStore::Slot;

  Result<void> load(std::uint32_t number) {
    char name[16];
    std::snprintf(name, sizeof name, "%08u", number);
    auto file = ARCA_TRY(pack::PackFile::open(store_.dir_ / (std::string(name) + ".pack"),
                                              pack::PackFile::Open::kExisting));
    auto idx = ARCA_TRY(pack::PackFile::open(store_.dir_ / (std::string(name) + ".idx"),
                                             pack::PackFile::Open::kAppend));
    auto pack = std::make_shared<Pack>(Pack{number, std::move(file), std::move(idx), 0});
    const std::uint64_t size = ARCA_TRY(pack->file.size());
    std::uint64_t scan_from = ARCA_TRY(read_idx(pack, size));
    auto tail = ARCA_TRY(scan(pack, size, scan_from));
    if (tail) {
      pack->end = *tail;
      store_.tails_.push_back({pack, *tail});
    } else {
      store_.return_pack(pack);
    }
    return ok();
  }

  // Applies the valid prefix of the pack's .idx; returns where the scan starts.
  Result<std::uint64_t> read_idx(const std::shared_ptr<Pack>& pack, std::uint64_t size) {
    const std::uint64_t idx_size = ARCA_TRY(pack->idx.size());
    Bytes bytes(idx_size);
    ARCA_TRY(pack->idx.pread_full(0, bytes));
    std::uint64_t scan_from = 0;
    std::size_t valid = 0;
    for (; valid + pack::kIdxEntrySize <= bytes.size(); valid += pack::kIdxEntrySize) {
      auto e = pack::decode_idx(ByteView(bytes).subspan(valid, pack::kIdxEntrySize));
      if (!e || e->offset % pack::kAlign != 0 || e->offset > size || e->length > size ||
          e->offset + pack::kHeaderSize + e->length > size) {
        break;
      }
      if (e->kind == pack::IdxKind::kRemoved) {
        auto it = store_.map_.find(e->id);
        if (it != store_.map_.end() && it->second.pack == pack && it->second.offset == e->offset)
          store_.map_.erase(it);
        forget_unverified(e->id, *pack, e->offset);
      } else {
        add(e->id, Slot{pack, e->offset, e->length, e->time_ms, false});
        if (e->kind == pack::IdxKind::kUnverified)
          unverified_[e->id] = {pack->number, e->offset};
        else
          forget_unverified(e->id, *pack, e->offset);
      }
      scan_from = std::max(scan_from, pack::align_up(e->offset + pack::kHeaderSize + e->length));
    }
    // Appends must start on an entry boundary: cut a torn or invalid end off.
    if (valid != bytes.size())
      ARCA_TRY(pack->idx.truncate(valid));
    return scan_from;
  }

  // Reads the headers from `from` on; returns the offset of a tail, if there is one.
  Result<std::optional<std::uint64_t>> scan(const std::shared_ptr<Pack>& pack, std::uint64_t size,
                                            std::uint64_t from) {
    std::uint64_t off = from;
    while (off < size) {
      std::array<std::uint8_t, pack::kHeaderSize> bytes{};
      if (ARCA_TRY(pack->file.pread_full(off, bytes)) != bytes.size())
        return std::optional<std::uint64_t>(off);
      auto h = pack::decode_header(bytes);
      if (!h || h->state == pack::RecordState::kWriting || h->length > size ||
          off + pack::kHeaderSize + h->length > size) {
        return std::optional<std::uint64_t>(off);
      }
      if (h->state == pack::RecordState::kCommitted) {
        add(h->id, Slot{pack, off, h->length, h->time_ms, false});
        unverified_[h->id] = {pack->number, off};
        ARCA_TRY(pack->idx.append(
            pack::encode_idx({pack::IdxKind::kUnverified, h->id, off, h->length, h->time_ms})));
      }
      off = pack::align_up(off + pack::kHeaderSize + h->length);
    }
    pack->end = std::max(off, pack::align_up(size));
    return std::optional<std::uint64_t>();
  }

  // A confirmation or a removal of that record.
  void forget_unverified(const RawId& id, const Pack& pack, std::uint64_t offset) {
    auto it = unverified_.find(id);
    if (it != unverified_.end() && it->second == std::pair{pack.number, offset})
      unverified_.erase(it);
  }

  // One id found twice: the later commit wins (a stale entry of a removed record loses).
  void add(const RawId& id, Slot slot) {
    auto [it, inserted] = store_.map_.try_emplace(id, slot);
    if (!inserted && slot.time_ms > it->second.time_ms)
      it->second = std::move(slot);
  }

  PackBlobStore& store_;
  // Records found by a scan or named by a kUnverified entry and not confirmed since: id → (pack
  // number, record offset).
  std::map<RawId, std::pair<std::uint32_t, std::uint64_t>> unverified_;
};

// What the open found unverified (§5), for the caller to check and confirm.
std::vector<BlobId> PackBlobStore::unverified() const {
  std::shared_lock lock(map_mutex_);
  std::vector<BlobId> ids;
  for (const RawId& id : unverified_) {
    if (map_.contains(id))
      ids.push_back(pack::format_id(id));
  }
  return ids;
}

std::int64_t PackBlobStore::newest_commit_ms() const {
  std::shared_lock lock(map_mutex_);
  std::int64_t newest = 0;
  for (const auto& [id, slot] : map_)
    newest = std::max(newest, slot.time_ms);
  return newest;
}

Result<void> PackBlobStore::confirm_unverified() {
  std::vector<std::pair<RawId, Slot>> present;
  {
    std::unique_lock lock(map_mutex_);
    for (const RawId& id : unverified_) {
      if (auto it = map_.find(id); it != map_.end())
        present.emplace_back(id, it->second);
    }
    unverified_.clear();
  }
  for (const auto& [id, slot] : present) {
    ARCA_TRY(slot.pack->idx.append(
        pack::encode_idx({pack::IdxKind::kCommitted, id, slot.offset, slot.length, slot.time_ms})));
  }
  return ok();
}

Result<std::unique_ptr<PackBlobStore>> PackBlobStore::open(const fs::path& root,
                                                           PackOptions options) {
  ARCA_TRY(make_dir(root));
  if (ARCA_TRY(make_dir(root / "packs")))
    ARCA_TRY(sync_directory(root));
  auto store = std::unique_ptr<PackBlobStore>(new PackBlobStore(root / "packs", options));
  ARCA_TRY(PackLoader(*store).load_all());
  return store;
}

}  // namespace arca::store
