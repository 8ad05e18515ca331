#include "crypto/key_provider.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "core/file.h"
#include "crypto/hash.h"

namespace arca::crypto {
namespace {

std::filesystem::path parent_of(const std::filesystem::path& p) {
  auto parent = p.parent_path();
  return parent.empty() ? std::filesystem::path(".") : parent;
}

}  // namespace

Result<SecretBytes> FileKeyProvider::root_key() {
  std::lock_guard lock(mu_);
  if (!key_) {
    auto loaded = load();
    if (!loaded.ok() && loaded.error().code == ErrorCode::kNotFound) {
      ARCA_TRY(create());
      loaded = load();
    }
    if (!loaded.ok())
      return std::move(loaded).error();
    key_ = std::move(loaded).take();
  }
  return key_->clone();
}

Result<SecretBytes> FileKeyProvider::load() {
  const std::string name = "root key file " + path_.string();
  auto file = File::open(path_, File::Mode::kRead);
  if (!file.ok())
    return std::move(file).error().context(name);
  struct stat st {};
  if (::fstat(file->fd(), &st) != 0)
    return errno_error(errno, "stat").context(name);
  if (!S_ISREG(st.st_mode))
    return make_error(ErrorCode::kInvalidArgument, name + " is not a regular file");
  if ((st.st_mode & 077) != 0)
    return make_error(ErrorCode::kPermissionDenied,
                      name + " is accessible by group or others; run: chmod 600 " + path_.string());
  if (static_cast<std::uint64_t>(st.st_size) != kRootKeySize)
    return make_error(ErrorCode::kInvalidArgument,
                      name + " must hold exactly 32 bytes, found " + std::to_string(st.st_size));
  Bytes key(kRootKeySize);
  std::size_t n = ARCA_TRY(file->read_at(0, key));
  SecretBytes secret(std::move(key));
  if (n != kRootKeySize)
    return make_error(ErrorCode::kIo, name + ": short read");
  return secret;
}

Result<void> FileKeyProvider::create() {
  const auto dir = parent_of(path_);
  std::error_code ec;
  if (std::filesystem::create_directories(dir, ec)) {
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
  }
  if (ec)
    return make_error(ErrorCode::kIo,
                      "creating key directory " + dir.string() + ": " + ec.message());
  // Write a private temp file, then publish it with link(), which never replaces an existing
  // key: if another process created one meanwhile, theirs wins and ours is discarded.
  auto tmp = path_;
  tmp += ".new-" + random_.hex(8);
  SecretBytes key(random_.bytes(kRootKeySize));
  ARCA_TRY(write_file_atomic(tmp, key.reveal(), 0600));
  int rc = ::link(tmp.c_str(), path_.c_str());
  int err = errno;
  ::unlink(tmp.c_str());
  if (rc != 0 && err != EEXIST)
    return errno_error(err, "publishing root key file " + path_.string());
  return sync_directory(dir);
}

std::string_view key_purpose_info(KeyPurpose purpose) {
  switch (purpose) {
    case KeyPurpose::kIndex:
      return "arca index v1";
    case KeyPurpose::kVault:
      return "arca vault v1";
    case KeyPurpose::kAuditMac:
      return "arca audit-mac v1";
    case KeyPurpose::kBackup:
      return "arca backup v1";
    case KeyPurpose::kPatientRef:
      return "arca patient-ref v1";
    case KeyPurpose::kTenantWrap:
      return "arca tenant-wrap v1";
    case KeyPurpose::kAccounts:
      return "arca accounts v1";
    case KeyPurpose::kAuditLog:
      return "arca audit-log v1";
    case KeyPurpose::kAuditJournal:
      return "arca audit-journal v1";
  }
  return "arca unknown";
}

Result<SecretBytes> derive_key(const SecretBytes& root, KeyPurpose purpose) {
  if (root.reveal().size() != kRootKeySize)
    return make_error(ErrorCode::kInvalidArgument, "root key must be 32 bytes");
  return hkdf_sha256(root.reveal(), {}, as_bytes(key_purpose_info(purpose)), 32);
}

}  // namespace arca::crypto
