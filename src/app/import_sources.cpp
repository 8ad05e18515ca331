#include "app/import_sources.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <memory>

#include "core/file.h"

namespace arca::app {

namespace fs = std::filesystem;

namespace {

bool is_zip(const fs::path& path) {
  auto head = FileSource::open(path);
  if (!head.ok())
    return false;
  Bytes magic(4);
  auto n = read_full(head.value(), magic);
  return n.ok() && n.value() == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 &&
         magic[3] == 4;
}

// libarchive's last error message, which it may leave unset (null).
std::string archive_message(archive* a) {
  const char* m = archive_error_string(a);
  return m != nullptr ? m : "unreadable data";
}

struct ArchiveCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};

Result<Bytes> read_entry(archive* a, const std::string& name, std::int64_t size,
                         std::size_t max_bytes) {
  if (size > 0 && static_cast<std::uint64_t>(size) > max_bytes) {
    return make_error(ErrorCode::kTooLarge, "larger than the maximum object size");
  }
  Bytes out(size > 0 ? static_cast<std::size_t>(size) : 0);
  std::size_t done = 0;
  for (;;) {
    if (done == out.size())
      out.resize(std::max<std::size_t>(out.size() * 2, 64 * 1024));
    la_ssize_t n = archive_read_data(a, out.data() + done, out.size() - done);
    if (n < 0) {
      return make_error(ErrorCode::kIo,
                        "cannot read archive entry " + name + ": " + archive_message(a));
    }
    if (n == 0)
      break;
    done += static_cast<std::size_t>(n);
    if (done > max_bytes)
      return make_error(ErrorCode::kTooLarge, "larger than the maximum");
  }
  out.resize(done);
  return out;
}

void walk_zip(const fs::path& path, std::size_t max_bytes,
              const std::function<void(ImportItem)>& visit) {
  std::unique_ptr<archive, ArchiveCloser> a(archive_read_new());
  archive_read_support_format_zip(a.get());
  std::string display = path.string();
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) {
    visit(
        {display, make_error(ErrorCode::kInvalidArgument,
                             std::string("cannot open zip archive: ") + archive_message(a.get()))});
    return;
  }
  archive_entry* entry = nullptr;
  for (;;) {
    int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF)
      return;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      visit({display, make_error(ErrorCode::kInvalidArgument,
                                 std::string("damaged zip archive: ") + archive_message(a.get()))});
      return;
    }
    if (archive_entry_filetype(entry) != AE_IFREG)
      continue;
    const char* entry_name = archive_entry_pathname(entry);
    std::string name = entry_name != nullptr ? entry_name : "?";
    std::string item = display + "!" + name;
    visit({item, read_entry(a.get(), item, archive_entry_size(entry), max_bytes)});
  }
}

void walk_file(const fs::path& path, std::size_t max_bytes,
               const std::function<void(ImportItem)>& visit) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (!ec && size > max_bytes) {
    visit({path.string(), make_error(ErrorCode::kTooLarge, "larger than the maximum object size")});
    return;
  }
  if (is_zip(path)) {
    walk_zip(path, max_bytes, visit);
    return;
  }
  visit({path.string(), read_file(path, max_bytes)});
}

void walk_directory(const fs::path& dir, std::size_t max_bytes,
                    const std::function<void(ImportItem)>& visit) {
  std::vector<fs::path> files;
  std::error_code ec;
  auto options = fs::directory_options::skip_permission_denied;
  for (auto it = fs::recursive_directory_iterator(dir, options, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec))
      files.push_back(it->path());
  }
  if (ec) {
    visit({dir.string(), make_error(ErrorCode::kIo, "cannot list folder: " + ec.message())});
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files)
    walk_file(f, max_bytes, visit);
}

}  // namespace

void walk_import_paths(const std::vector<fs::path>& paths, std::size_t max_bytes,
                       const std::function<void(ImportItem)>& visit) {
  for (const auto& path : paths) {
    std::error_code ec;
    auto status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      visit({path.string(), make_error(ErrorCode::kNotFound, "no such file or folder")});
    } else if (fs::is_directory(status)) {
      walk_directory(path, max_bytes, visit);
    } else {
      walk_file(path, max_bytes, visit);
    }
  }
}

}  // namespace arca::app
