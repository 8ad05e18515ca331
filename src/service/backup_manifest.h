// The manifest of a backup directory (docs/formats/backup.md): what the backup holds — index.db,
// audit.db and blobs.list (which lists every blob file) with their sizes and SHA-256, and
// counts — as JSON in manifest.json, authenticated by
// HMAC-SHA-256 under the backup key (derived from the root key, "arca backup v1") in
// manifest.hmac. Parsing is strict: unknown versions, unsafe paths, malformed digests and
// duplicate paths are refused. Nothing in a manifest is PHI (file names are opaque blob ids).
// Thread-safety: free functions.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/secret.h"
#include "core/stream.h"
#include "store/blob_store.h"

namespace arca::service {

inline constexpr int kBackupFormatVersion = 1;
inline constexpr std::string_view kManifestFile = "manifest.json";
inline constexpr std::string_view kManifestMacFile = "manifest.hmac";

struct BackupFileEntry {
  std::string path;  // relative, '/'-separated, no ".."
  std::uint64_t size = 0;
  std::string sha256;  // lower-case hex of the file's bytes
};

struct BackupManifest {
  int version = kBackupFormatVersion;
  std::int64_t created_ms = 0;  // Unix epoch milliseconds (UTC)
  std::string key_id;           // backup_key_id() of the key the manifest is signed with
  std::string mode;             // "offline" (CLI, server stopped) or "online" (inside serve)
  std::uint64_t instances = 0;
  std::uint64_t blobs = 0;          // entries of blobs.list (backup_blob_list.h)
  std::uint64_t blob_bytes = 0;     // stored (encrypted) bytes of the blob files
  std::uint64_t audit_records = 0;  // the trail's head when the snapshot began (at least)
  std::vector<BackupFileEntry> files;

  const BackupFileEntry* find(std::string_view path) const;
};

// Size and SHA-256 (lower-case hex) of a file, read once; its bytes also go to `out` when one
// is given. Reading stops at the first read that would take it past `limit` bytes: that read is
// neither hashed nor passed on, and the size returned is over `limit`.
struct FileDigest {
  std::uint64_t size = 0;
  std::string sha256;
};
Result<FileDigest> digest_file(const std::filesystem::path& path, ByteSink* out = nullptr,
                               std::uint64_t limit = UINT64_MAX);

// Where a blob's file lives in a backup, relative to it: "blobs/<first two hex digits>/<id>".
std::string backup_blob_path(const store::BlobId& id);

// 16 hex characters naming the root key a backup belongs to (HMAC of a constant under the
// backup key): equal keys, equal ids; reveals nothing of the key.
std::string backup_key_id(const SecretBytes& backup_key);

std::string serialize_manifest(const BackupManifest& manifest);
// kInvalidArgument for anything but a well-formed manifest of a known version.
Result<BackupManifest> parse_manifest(std::string_view text);

// Lower-case hex HMAC-SHA-256 of the manifest's exact bytes.
std::string manifest_mac(const SecretBytes& backup_key, std::string_view manifest_text);

// Checks the MAC (constant time) before trusting anything in the text; then parses it.
// Fails with kPermissionDenied when the manifest names another root key (the backup belongs to
// another archive, or the key file is the wrong one) and with kIntegrity when the MAC does not
// match (the manifest or its MAC was altered).
Result<BackupManifest> authenticate_manifest(const SecretBytes& backup_key,
                                             std::string_view manifest_text,
                                             std::string_view mac_text);

}  // namespace arca::service
