// FsStagedDirectory: the StagedDirectory (store/staged_directory.h) on a local file system: the
// staging directory is `.<name>.partial-<random>` beside the final one, in the same file system,
// so publishing is one rename(2).
// Thread-safety: one thread at a time.
#pragma once

#include <filesystem>
#include <memory>

#include "core/random.h"
#include "store/staged_directory.h"

namespace arca::store {

class FsStagedDirectory final : public StagedDirectory {
 public:
  // Fails with kAlreadyExists if `final_dir` exists and is anything but an empty directory,
  // and with the file system's error (kPermissionDenied, kOutOfSpace, kIo) if the staging
  // directory cannot be made beside it.
  static Result<std::unique_ptr<StagedDirectory>> create(const std::filesystem::path& final_dir,
                                                         Random& random);
  ~FsStagedDirectory() override;
  FsStagedDirectory(const FsStagedDirectory&) = delete;
  FsStagedDirectory& operator=(const FsStagedDirectory&) = delete;

  const std::filesystem::path& staging() const override { return staging_; }
  const std::filesystem::path& final_dir() const override { return final_; }
  Result<std::unique_ptr<StagedFile>> create_file(const std::string& relative) override;
  Result<void> publish() override;

  FsStagedDirectory(std::filesystem::path final_dir, std::filesystem::path staging, bool replace)
      : final_(std::move(final_dir)), staging_(std::move(staging)), replace_empty_(replace) {}

 private:
  std::filesystem::path final_;
  std::filesystem::path staging_;
  bool replace_empty_ = false;  // final_ exists as an empty directory
  bool published_ = false;
};

// True when `dir` does not exist or is an empty directory.
bool is_absent_or_empty(const std::filesystem::path& dir);

}  // namespace arca::store
