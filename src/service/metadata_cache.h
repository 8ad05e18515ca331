// MetadataCache: the encrypted per-series cache behind WADO-RS /metadata (DESIGN §1), in the
// format of docs/formats/metadata-cache.md. One entry per series and rendering kind holds each
// instance's rendered metadata together with the SOP Instance UID, SHA-256 and blob id the index
// listed when it was rendered; an entry is trusted per instance only while the index still lists
// the same three, so ingest, replacement and deletion need no hook. The entries live in a
// BlobStore of their own (app/ wires the EncryptedBlobStore decorator over a separate folder),
// scoped to the series' tenant and patient. The cache is derived data: a missing, stale,
// damaged or undecryptable entry is rendered again and rewritten, never an error for the caller;
// such events are logged with the opaque blob id and error code only.
// It decides nothing about access: callers (RetrieveService) authorize and audit first.
// Total size is bounded (least recently used entries are removed).
// Thread-safety: thread-safe; the render callback may be called from any caller's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/logger.h"
#include "core/result.h"
#include "store/index.h"

namespace arca::service {

struct MetadataCacheOptions {
  std::uint64_t max_bytes = std::uint64_t{1024} << 20;  // 0: the cache is off
  // Every renderer kind this archive writes entries for, so forget_series() removes them all.
  std::vector<std::string> kinds;
};

enum class CacheWrite { kNo, kYes };

// What to render and how: the rows are every instance of one series as the index lists them now
// (one tenant, one patient); `kind` names the renderer and its version (the cache key includes
// it); `render` produces one instance's metadata from its stored object.
struct SeriesMetadataRequest {
  const std::vector<const store::StoredInstance*>& rows;
  std::string_view kind;
  const std::function<Result<std::string>(const store::StoredInstance&)>& render;
  CacheWrite write = CacheWrite::kYes;  // kNo: use a valid entry but do not (re)write one
};

class MetadataCache {
 public:
  // `blobs` (the cache's own store) must outlive the cache.
  MetadataCache(store::BlobStore& blobs, Logger& logger, MetadataCacheOptions options = {})
      : blobs_(blobs), logger_(logger), options_(options) {}

  // The rendered metadata of each row, in the order of `rows`. Fails only when render fails.
  Result<std::vector<std::string>> series(const SeriesMetadataRequest& request);
  // Removes the entry of a series (all kinds listed), e.g. after its study was deleted; entries
  // of deleted series are otherwise only evicted. kNotFound is not an error.
  void forget(const TenantId& tenant, const SeriesUid& series,
              const std::vector<std::string_view>& kinds);
  // forget() for every kind of the options: a deleted series leaves no entry (no metadata of a
  // deleted study stays on the disk, even encrypted, until an eviction).
  void forget_series(const TenantId& tenant, const SeriesUid& series);
  // The cache entry's blob id (for tests and for `forget`).
  static store::BlobId entry_id(const TenantId& tenant, const SeriesUid& series,
                                std::string_view kind);
  // Bytes currently accounted for (for tests).
  std::uint64_t accounted_bytes();

 private:
  struct Cached {
    std::string sha256;
    std::string blob;
    std::string rendered;
  };
  struct Usage {
    std::uint64_t bytes = 0;
    std::uint64_t last_used = 0;
  };

  std::map<std::string, Cached> load(const store::BlobId& id, std::string_view kind,
                                     const SeriesUid& series);
  void save(const store::BlobId& id, const SeriesMetadataRequest& request,
            const std::vector<std::string>& rendered);
  Result<void> write_entry(const store::BlobId& id, const store::BlobScope& scope,
                           const Bytes& plain);
  void touch(const store::BlobId& id, std::uint64_t bytes);
  void load_usage();
  void evict();
  void drop(const store::BlobId& id);

  store::BlobStore& blobs_;
  Logger& logger_;
  MetadataCacheOptions options_;
  std::mutex mu_;  // guards what follows; never held across I/O
  bool usage_loaded_ = false;
  std::uint64_t tick_ = 0;
  std::uint64_t total_ = 0;
  std::map<store::BlobId, Usage> usage_;
};

}  // namespace arca::service
