#include "app/import_command.h"

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <ostream>
#include <thread>

#include "app/import_sources.h"
#include "dicom/parse.h"

namespace arca::app {

namespace {

struct Tally {
  std::mutex mu;
  std::size_t stored = 0, duplicate = 0, rejected = 0, skipped = 0;
  std::uint64_t bytes = 0;
  std::vector<std::pair<std::string, std::string>> rejections;  // name, reason
};

class Importer {
 public:
  Importer(Archive& archive, const ImportOptions& options, std::ostream& out, std::ostream& err)
      : archive_(archive),
        options_(options),
        out_(out),
        err_(err),
        terminal_(::isatty(STDERR_FILENO) == 1) {}

  void run() {
    start_ = std::chrono::steady_clock::now();
    std::vector<std::jthread> workers;
    for (int i = 0; i < std::max(1, options_.jobs); ++i)
      workers.emplace_back([this] { work(); });
    walk_import_paths(options_.paths, kMaxObject,
                      [this](ImportItem item) { enqueue(std::move(item)); });
    {
      std::lock_guard lock(mu_);
      done_walking_ = true;
    }
    has_work_.notify_all();
    workers.clear();  // joins
    if (terminal_)
      err_ << "\r\033[K";
  }

  const Tally& tally() const { return tally_; }

 private:
  static constexpr std::size_t kMaxObject = std::size_t{2} << 30;
  static std::uint64_t held_by(const ImportItem& item) {
    return item.bytes.ok() ? item.bytes.value().size() : 0;
  }

  void enqueue(ImportItem item) {
    const std::uint64_t size = held_by(item);
    std::unique_lock lock(mu_);
    has_room_.wait(lock, [&] {
      return queue_.size() < 4 * std::size_t(options_.jobs) &&
             (held_ == 0 || held_ + size <= options_.memory_budget);
    });
    held_ += size;
    queue_.push_back(std::move(item));
    has_work_.notify_one();
  }

  void work() {
    service::RequestContext ctx{service::Principal::local_operator(default_tenant()), "console",
                                ""};
    for (;;) {
      std::unique_lock lock(mu_);
      has_work_.wait(lock, [this] { return !queue_.empty() || done_walking_; });
      if (queue_.empty())
        return;
      ImportItem item = std::move(queue_.front());
      queue_.pop_front();
      has_room_.notify_one();
      lock.unlock();
      handle(ctx, item);
      const std::uint64_t size = held_by(item);
      item.bytes = Bytes{};  // the bytes go before the budget lets the next file in
      lock.lock();
      held_ -= size;
      lock.unlock();
      has_room_.notify_one();
    }
  }

  void handle(const service::RequestContext& ctx, ImportItem& item) {
    if (item.bytes.ok() && dicom::is_media_directory(item.bytes.value())) {
      report(item.name, "skipped", "", "DICOMDIR (media directory, not an instance)");
      return;
    }
    if (!item.bytes.ok()) {
      report(item.name, "rejected", "", item.bytes.error().message);
      return;
    }
    std::uint64_t size = item.bytes.value().size();
    auto stored = archive_.ingest().store(ctx, item.bytes.value());
    if (!stored.ok()) {
      report(item.name, "rejected", "", stored.error().message);
      return;
    }
    bool duplicate = stored->status == service::StoreStatus::kDuplicate;
    report(item.name, duplicate ? "duplicate" : "stored", stored->instance.str(), "", size);
  }

  void report(const std::string& name, const char* what, const std::string& uid,
              const std::string& reason, std::uint64_t size = 0) {
    std::lock_guard lock(tally_.mu);
    std::string_view w(what);
    if (w == "stored")
      ++tally_.stored;
    if (w == "duplicate")
      ++tally_.duplicate;
    if (w == "skipped")
      ++tally_.skipped;
    if (w == "rejected") {
      ++tally_.rejected;
      tally_.rejections.emplace_back(name, reason);
    }
    tally_.bytes += size;
    if (options_.list)
      out_ << what << '\t' << uid << '\t' << name << std::endl;  // flushed
    if (terminal_)
      progress();
  }

  void progress() {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::size_t files = tally_.stored + tally_.duplicate + tally_.rejected + tally_.skipped;
    double mb = static_cast<double>(tally_.bytes) / 1e6;
    char line[160];
    std::snprintf(line, sizeof line,
                  "\r\033[Kimporting: %zu files (%zu stored, %zu rejected), %.1f MB, %.0f files/s",
                  files, tally_.stored, tally_.rejected, mb, secs > 0 ? files / secs : 0.0);
    err_ << line << std::flush;
  }

  Archive& archive_;
  const ImportOptions& options_;
  std::ostream& out_;
  std::ostream& err_;
  bool terminal_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
  std::condition_variable has_work_, has_room_;
  std::deque<ImportItem> queue_;
  bool done_walking_ = false;
  std::uint64_t held_ = 0;  // bytes of the items queued or being stored
  Tally tally_;
};

}  // namespace

int run_import(Archive& archive, const ImportOptions& options, std::ostream& out,
               std::ostream& err) {
  Importer importer(archive, options, out, err);
  importer.run();
  const Tally& t = importer.tally();
  for (const auto& [name, reason] : t.rejections)
    err << "rejected: " << name << ": " << reason << '\n';
  if (options.json) {
    out << "{\"stored\":" << t.stored << ",\"duplicate\":" << t.duplicate
        << ",\"rejected\":" << t.rejected << ",\"skipped\":" << t.skipped << "}\n";
  } else {
    err << t.stored << " stored, " << t.duplicate << " duplicate, " << t.rejected << " rejected, "
        << t.skipped << " skipped\n";
  }
  return t.rejected == 0 ? 0 : 1;
}

}  // namespace arca::app
