// StagedDirectory: a new directory (a backup, a restored archive) built under a hidden temp name
// beside its final place and published by one rename, so an interrupted run never leaves
// something that looks finished: the final directory either does not exist (or is still the
// empty directory it was) or holds everything, synced. Files are 0600, directories 0700.
//
//   auto f = ARCA_TRY(dir->create_file("blobs/ab/ab12..."));
//   ARCA_TRY(f->write(...)); ARCA_TRY(f->commit());   // fsync + close
//   ARCA_TRY(dir->publish());                          // fsync every directory, rename, fsync
//   parent
//
// A StagedDirectory destroyed before publish() removes what it staged.
// Implementation: FsStagedDirectory (store/fs/fs_staged_directory.h).
// Thread-safety: one thread at a time.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "core/stream.h"

namespace arca::store {

class StagedFile : public ByteSink {
 public:
  // Closes the file, complete; it reaches the disk by publish() at the latest. Called at most
  // once, after the last write.
  virtual Result<void> commit() = 0;
};

class StagedDirectory {
 public:
  virtual ~StagedDirectory() = default;
  // Where the content is staged (for writers that create files themselves, e.g. SQLite).
  virtual const std::filesystem::path& staging() const = 0;
  virtual const std::filesystem::path& final_dir() const = 0;
  // A new file at `relative` (relative, '/'-separated, no ".."), parent directories created.
  virtual Result<std::unique_ptr<StagedFile>> create_file(const std::string& relative) = 0;
  // Makes the whole tree durable and moves it to final_dir().
  virtual Result<void> publish() = 0;
};

}  // namespace arca::store
