#include "service/metadata_cache.h"

#include <algorithm>

#include "crypto/hash.h"

namespace arca::service {
namespace {

constexpr std::string_view kMagic = "ARCA-MDC1\n";
constexpr std::string_view kIdContext = "arca-metadata-cache/1";

void put_u32(Bytes& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void put_string(Bytes& out, std::string_view s) {
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}

// Reads the plaintext layout back; any overrun fails with kIntegrity.
class EntryReader {
 public:
  explicit EntryReader(ByteView data) : data_(data) {}
  Result<std::uint32_t> u32() {
    if (data_.size() - pos_ < 4)
      return truncated();
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
      v |= std::uint32_t{data_[pos_ + static_cast<std::size_t>(i)]} << (8 * i);
    pos_ += 4;
    return v;
  }
  Result<std::string> string() {
    std::uint32_t n = ARCA_TRY(u32());
    if (data_.size() - pos_ < n)
      return truncated();
    std::string s(reinterpret_cast<const char*>(data_.data() + pos_), n);
    pos_ += n;
    return s;
  }
  Result<void> magic() {
    if (data_.size() < kMagic.size() ||
        !std::equal(kMagic.begin(), kMagic.end(), data_.begin(),
                    [](char a, std::uint8_t b) { return static_cast<std::uint8_t>(a) == b; }))
      return make_error(ErrorCode::kIntegrity, "not a metadata cache entry");
    pos_ = kMagic.size();
    return ok();
  }
  bool at_end() const { return pos_ == data_.size(); }

 private:
  static Error truncated() { return make_error(ErrorCode::kIntegrity, "entry truncated"); }
  ByteView data_;
  std::size_t pos_ = 0;
};

std::string log_text(const store::BlobId& id, const Error& e) {
  // Errors of the blob store and of this parser name opaque ids only, never PHI.
  return "metadata cache entry " + id.str() + ": " + std::string(error_code_name(e.code)) + " (" +
         e.message + "); rebuilding";
}

}  // namespace

store::BlobId MetadataCache::entry_id(const TenantId& tenant, const SeriesUid& series,
                                      std::string_view kind) {
  std::string key(kIdContext);
  for (std::string_view part :
       {std::string_view(tenant.str()), std::string_view(series.str()), kind}) {
    key += '\0';
    key += part;
  }
  auto digest = crypto::sha256(as_bytes(key));
  return store::BlobId(to_hex(ByteView(digest.data(), 16)));
}

Result<std::vector<std::string>> MetadataCache::series(const SeriesMetadataRequest& request) {
  const auto& rows = request.rows;
  std::vector<std::string> out(rows.size());
  if (rows.empty())
    return out;
  const store::StoredInstance& first = *rows.front();
  const SeriesUid& series = first.attributes.series.series_uid;
  bool cacheable = options_.max_bytes > 0;
  for (const store::StoredInstance* row : rows) {
    cacheable = cacheable && row->tenant == first.tenant && row->patient_ref == first.patient_ref &&
                row->attributes.series.series_uid == series;
  }
  const store::BlobId id = entry_id(first.tenant, series, request.kind);
  std::map<std::string, Cached> cached;
  if (cacheable)
    cached = load(id, request.kind, series);
  std::size_t rendered = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const store::StoredInstance& row = *rows[i];
    auto hit = cached.find(row.attributes.instance.sop_instance_uid.str());
    if (hit != cached.end() && hit->second.sha256 == row.sha256 &&
        hit->second.blob == row.blob.str()) {
      out[i] = std::move(hit->second.rendered);
      cached.erase(hit);
      continue;
    }
    out[i] = ARCA_TRY(request.render(row));
    ++rendered;
  }
  // Rewrite when anything was rendered or the entry holds instances the index no longer lists.
  if (cacheable && request.write == CacheWrite::kYes && (rendered > 0 || !cached.empty()))
    save(id, request, out);
  return out;
}

std::map<std::string, MetadataCache::Cached> MetadataCache::load(const store::BlobId& id,
                                                                 std::string_view kind,
                                                                 const SeriesUid& series) {
  std::map<std::string, Cached> out;
  auto parsed = [&]() -> Result<void> {
    auto reader = ARCA_TRY(blobs_.open(id));
    const std::uint64_t size = reader->size();
    if (size > options_.max_bytes)
      return make_error(ErrorCode::kIntegrity, "entry larger than the cache");
    store::BlobSource source(*reader);
    Bytes plain = ARCA_TRY(read_all(source, static_cast<std::size_t>(size)));
    touch(id, plain.size());
    EntryReader in(plain);
    ARCA_TRY(in.magic());
    if (ARCA_TRY(in.string()) != kind || ARCA_TRY(in.string()) != series.str())
      return make_error(ErrorCode::kIntegrity, "entry of another series or kind");
    std::uint32_t count = ARCA_TRY(in.u32());
    for (std::uint32_t i = 0; i < count; ++i) {
      std::string uid = ARCA_TRY(in.string());
      Cached c;
      c.sha256 = ARCA_TRY(in.string());
      c.blob = ARCA_TRY(in.string());
      c.rendered = ARCA_TRY(in.string());
      out[std::move(uid)] = std::move(c);
    }
    if (!in.at_end())
      return make_error(ErrorCode::kIntegrity, "trailing bytes");
    return ok();
  }();
  if (!parsed.ok()) {
    out.clear();
    if (parsed.error().code != ErrorCode::kNotFound)  // absent: an ordinary miss
      logger_.warn(log_text(id, parsed.error()));
  }
  return out;
}

void MetadataCache::save(const store::BlobId& id, const SeriesMetadataRequest& request,
                         const std::vector<std::string>& rendered) {
  const store::StoredInstance& first = *request.rows.front();
  Bytes plain(kMagic.begin(), kMagic.end());
  put_string(plain, request.kind);
  put_string(plain, first.attributes.series.series_uid.str());
  put_u32(plain, static_cast<std::uint32_t>(request.rows.size()));
  for (std::size_t i = 0; i < request.rows.size(); ++i) {
    const store::StoredInstance& row = *request.rows[i];
    put_string(plain, row.attributes.instance.sop_instance_uid.str());
    put_string(plain, row.sha256);
    put_string(plain, row.blob.str());
    put_string(plain, rendered[i]);
  }
  drop(id);
  if (plain.size() > options_.max_bytes / 4)
    return;  // too large to be worth keeping; served uncached
  auto written = write_entry(id, store::BlobScope{first.tenant, first.patient_ref}, plain);
  if (!written.ok()) {
    // Another thread or node wrote the entry first, or the disk is full: serve uncached.
    logger_.info("metadata cache entry " + id.str() +
                 " not written: " + std::string(error_code_name(written.error().code)));
    return;
  }
  touch(id, plain.size());
  evict();
}

Result<void> MetadataCache::write_entry(const store::BlobId& id, const store::BlobScope& scope,
                                        const Bytes& plain) {
  auto removed = blobs_.remove(id);
  if (!removed.ok() && removed.error().code != ErrorCode::kNotFound)
    return removed;
  auto writer = ARCA_TRY(blobs_.create(id, scope));
  ARCA_TRY(writer->write(plain));
  return writer->commit();
}

void MetadataCache::forget(const TenantId& tenant, const SeriesUid& series,
                           const std::vector<std::string_view>& kinds) {
  for (std::string_view kind : kinds) {
    store::BlobId id = entry_id(tenant, series, kind);
    auto removed = blobs_.remove(id);
    if (!removed.ok() && removed.error().code != ErrorCode::kNotFound)
      logger_.warn("metadata cache entry " + id.str() +
                   " not removed: " + std::string(error_code_name(removed.error().code)));
    drop(id);
  }
}

void MetadataCache::forget_series(const TenantId& tenant, const SeriesUid& series) {
  std::vector<std::string_view> kinds(options_.kinds.begin(), options_.kinds.end());
  forget(tenant, series, kinds);
}

std::uint64_t MetadataCache::accounted_bytes() {
  load_usage();
  std::lock_guard lock(mu_);
  return total_;
}

void MetadataCache::touch(const store::BlobId& id, std::uint64_t bytes) {
  load_usage();
  std::lock_guard lock(mu_);
  Usage& u = usage_[id];
  total_ = total_ - u.bytes + bytes;
  u.bytes = bytes;
  u.last_used = ++tick_;
}

void MetadataCache::drop(const store::BlobId& id) {
  std::lock_guard lock(mu_);
  auto it = usage_.find(id);
  if (it == usage_.end())
    return;
  total_ -= it->second.bytes;
  usage_.erase(it);
}

// What earlier runs left: accounted by stored size, oldest first in the eviction order.
void MetadataCache::load_usage() {
  {
    std::lock_guard lock(mu_);
    if (usage_loaded_)
      return;
    usage_loaded_ = true;
  }
  std::vector<store::BlobInfo> found;
  auto listed = blobs_.list([&](const store::BlobInfo& info) -> Result<void> {
    found.push_back(info);
    return ok();
  });
  if (!listed.ok())
    logger_.warn("metadata cache not listed: " + std::string(error_code_name(listed.error().code)));
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.modified < b.modified; });
  std::lock_guard lock(mu_);
  for (const store::BlobInfo& info : found) {
    if (usage_.count(info.id))
      continue;
    usage_[info.id] = Usage{info.stored_size, ++tick_};
    total_ += info.stored_size;
  }
}

void MetadataCache::evict() {
  std::vector<store::BlobId> victims;
  {
    std::lock_guard lock(mu_);
    std::vector<std::pair<std::uint64_t, store::BlobId>> by_age;
    for (const auto& [id, u] : usage_)
      by_age.emplace_back(u.last_used, id);
    std::sort(by_age.begin(), by_age.end());
    std::uint64_t total = total_;
    for (const auto& [tick, id] : by_age) {
      if (total <= options_.max_bytes)
        break;
      total -= usage_[id].bytes;
      victims.push_back(id);
    }
  }
  for (const store::BlobId& id : victims) {
    (void)blobs_.remove(id);  // kNotFound: already gone
    drop(id);
  }
}

}  // namespace arca::service
