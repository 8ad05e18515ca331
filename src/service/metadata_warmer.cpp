#include "service/metadata_warmer.h"

#include <sched.h>

#include <vector>

namespace arca::service {

MetadataWarmer::MetadataWarmer(MetadataWarmerDeps deps, MetadataRenderer renderer,
                               MetadataWarmerOptions options)
    : deps_(deps), renderer_(std::move(renderer)), options_(options) {
  worker_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

MetadataWarmer::~MetadataWarmer() {
  worker_.request_stop();
  wake_.notify_all();
}

void MetadataWarmer::stored(const store::StoredInstance& row) {
  Key key{row.tenant, row.attributes.study.study_uid, row.attributes.series.series_uid};
  bool was_empty = false;
  {
    std::lock_guard lock(mu_);
    if (pending_.size() >= options_.max_pending && !pending_.count(key))
      return;
    was_empty = pending_.empty();
    pending_[key] = std::chrono::steady_clock::now() + options_.quiet;
  }
  // Every due time is "now + quiet", so a new one is never earlier than those the worker
  // already waits for: it needs waking only from an empty map (waking it on every stored
  // instance cost a context switch each).
  if (was_empty)
    wake_.notify_all();
}

std::size_t MetadataWarmer::built() const {
  std::lock_guard lock(mu_);
  return built_;
}

void MetadataWarmer::run(const std::stop_token& stop) {
  // Background work runs only on otherwise idle CPU (Linux SCHED_IDLE, this thread only), so
  // warming never takes CPU from stores and reads under load; starved, it merely leaves more to
  // the lazy path. Best effort: if the policy cannot be set, the thread runs as before.
  sched_param idle{};
  (void)::sched_setscheduler(0, SCHED_IDLE, &idle);
  std::unique_lock lock(mu_);
  while (!stop.stop_requested()) {
    if (pending_.empty()) {
      wake_.wait(lock, stop, [&] { return !pending_.empty(); });
      continue;
    }
    const auto now = std::chrono::steady_clock::now();
    std::vector<Key> ready;
    Due next = Due::max();
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second <= now) {
        ready.push_back(it->first);
        it = pending_.erase(it);
      } else {
        next = std::min(next, it->second);
        ++it;
      }
    }
    if (ready.empty()) {
      wake_.wait_until(lock, stop, next, [&] { return false; });
      continue;
    }
    lock.unlock();
    for (const Key& key : ready) {
      if (stop.stop_requested())
        break;
      build(key);
    }
    lock.lock();
    built_ += ready.size();
  }
}

void MetadataWarmer::build(const Key& key) {
  const auto& [tenant, study, series] = key;
  auto rows = deps_.index.study_instances(tenant, study);
  if (!rows.ok()) {
    deps_.logger.warn("metadata warm-up of series " + series.str() +
                      " skipped: " + std::string(error_code_name(rows.error().code)));
    return;
  }
  std::vector<const store::StoredInstance*> in_series;
  for (const store::StoredInstance& row : rows.value()) {
    if (row.attributes.series.series_uid == series)
      in_series.push_back(&row);
  }
  if (in_series.empty())
    return;  // removed meanwhile
  const std::function<Result<std::string>(const store::StoredInstance&)> render =
      [this](const store::StoredInstance& row) -> Result<std::string> {
    OpenedInstance opened{row, ARCA_TRY(deps_.blobs.open(row.blob))};
    return renderer_.render(opened);
  };
  auto built = deps_.cache.series({in_series, renderer_.kind, render, CacheWrite::kYes});
  if (!built.ok()) {
    deps_.logger.info("metadata warm-up of series " + series.str() +
                      " failed: " + std::string(error_code_name(built.error().code)));
  }
}

}  // namespace arca::service
