// MetadataWarmer: builds /metadata cache entries in the background after ingest, so the first
// viewer to open a new study already gets cached metadata. Each stored instance (StoredListener)
// marks its series; a series is (re)built once no instance of it has arrived for `quiet`, so a
// series arriving instance by instance is rendered incrementally (only new instances are
// parsed) and rewritten a few times at most, not once per instance. One owned thread does the
// work, at idle CPU priority (SCHED_IDLE); pending series beyond `max_pending` are left to the
// lazy path of RetrieveService.
// Building is derivation, not an access: nothing leaves the process, so nothing is audited.
// On destruction pending work is dropped (the cache is derived; requests build what is missing).
// Thread-safety: thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>

#include "service/metadata_cache.h"
#include "service/retrieve_service.h"
#include "service/stored_listener.h"

namespace arca::service {

struct MetadataWarmerDeps {
  store::IndexReader& index;
  store::BlobStore& blobs;  // the stored objects
  MetadataCache& cache;
  Logger& logger;
};

struct MetadataWarmerOptions {
  // Debounce measured on the steady clock inside the worker (not the injected Clock: it only
  // paces background work and never decides anything a test must control).
  std::chrono::milliseconds quiet{2000};
  std::size_t max_pending = 10000;
};

class MetadataWarmer final : public StoredListener {
 public:
  // Starts the worker thread. All references must outlive the warmer.
  MetadataWarmer(MetadataWarmerDeps deps, MetadataRenderer renderer,
                 MetadataWarmerOptions options = {});
  ~MetadataWarmer() override;

  void stored(const store::StoredInstance& row) override;
  // Series built so far (for tests).
  std::size_t built() const;

 private:
  using Key = std::tuple<TenantId, StudyUid, SeriesUid>;
  using Due = std::chrono::steady_clock::time_point;

  void run(const std::stop_token& stop);
  void build(const Key& key);

  MetadataWarmerDeps deps_;
  MetadataRenderer renderer_;
  MetadataWarmerOptions options_;
  mutable std::mutex mu_;  // guards pending_ and built_; never held while building
  std::condition_variable_any wake_;
  std::map<Key, Due> pending_;
  std::size_t built_ = 0;
  std::jthread worker_;  // last: started after the members it uses, stopped first
};

}  // namespace arca::service
