#include "service/backup_manifest.h"

#include <nlohmann/json.hpp>
#include <set>

#include "core/file.h"
#include "crypto/hash.h"

namespace arca::service {

namespace {

using nlohmann::json;

ByteView view(std::string_view s) {
  return ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

bool safe_path(std::string_view p) {
  if (p.empty() || p.front() == '/' || p.back() == '/' || p.find('\\') != std::string_view::npos ||
      p.find('\0') != std::string_view::npos)
    return false;
  std::size_t start = 0;
  while (start <= p.size()) {
    std::size_t end = p.find('/', start);
    if (end == std::string_view::npos)
      end = p.size();
    std::string_view part = p.substr(start, end - start);
    if (part.empty() || part == "." || part == "..")
      return false;
    start = end + 1;
  }
  return true;
}

Error malformed(std::string_view why) {
  return make_error(ErrorCode::kInvalidArgument, "malformed backup manifest: " + std::string(why));
}

}  // namespace

const BackupFileEntry* BackupManifest::find(std::string_view path) const {
  for (const auto& f : files) {
    if (f.path == path)
      return &f;
  }
  return nullptr;
}

Result<FileDigest> digest_file(const std::filesystem::path& path, ByteSink* out,
                               std::uint64_t limit) {
  FileSource source = ARCA_TRY(FileSource::open(path));
  crypto::Sha256 hash;
  Bytes buffer(std::size_t{1} << 20);
  FileDigest digest;
  for (;;) {
    std::size_t n = ARCA_TRY(source.read(buffer));
    if (n == 0)
      break;
    digest.size += n;
    if (digest.size > limit)
      return digest;
    hash.update(ByteView(buffer).first(n));
    if (out != nullptr)
      ARCA_TRY(out->write(ByteView(buffer).first(n)));
  }
  digest.sha256 = to_hex(hash.finish());
  return digest;
}

std::string backup_blob_path(const store::BlobId& id) {
  const std::string& s = id.str();
  return "blobs/" + s.substr(0, 2) + "/" + s;
}

std::string backup_key_id(const SecretBytes& backup_key) {
  crypto::Digest d = crypto::hmac_sha256(backup_key.reveal(), view("arca backup key id"));
  return to_hex(ByteView(d).first(8));
}

std::string serialize_manifest(const BackupManifest& m) {
  json files = json::array();
  for (const auto& f : m.files)
    files.push_back({{"path", f.path}, {"size", f.size}, {"sha256", f.sha256}});
  json j = {{"format", "arca-backup"},
            {"version", m.version},
            {"created_ms", m.created_ms},
            {"key_id", m.key_id},
            {"mode", m.mode},
            {"instances", m.instances},
            {"blobs", m.blobs},
            {"blob_bytes", m.blob_bytes},
            {"audit_records", m.audit_records},
            {"files", std::move(files)}};
  return j.dump(1) + "\n";
}

Result<BackupManifest> parse_manifest(std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object())
    return malformed("not a JSON object");
  try {
    if (j.value("format", std::string()) != "arca-backup")
      return malformed("not an Arca backup");
    BackupManifest m;
    m.version = j.at("version").get<int>();
    if (m.version != kBackupFormatVersion)
      return malformed("unknown version " + std::to_string(m.version));
    m.created_ms = j.at("created_ms").get<std::int64_t>();
    m.key_id = j.at("key_id").get<std::string>();
    m.mode = j.at("mode").get<std::string>();
    m.instances = j.at("instances").get<std::uint64_t>();
    m.blobs = j.at("blobs").get<std::uint64_t>();
    m.blob_bytes = j.at("blob_bytes").get<std::uint64_t>();
    m.audit_records = j.at("audit_records").get<std::uint64_t>();
    if (!is_lower_hex(m.key_id, 16))
      return malformed("bad key id");
    std::set<std::string> seen;
    for (const auto& f : j.at("files")) {
      BackupFileEntry e{f.at("path").get<std::string>(), f.at("size").get<std::uint64_t>(),
                        f.at("sha256").get<std::string>()};
      if (!safe_path(e.path))
        return malformed("unsafe file path");
      if (!is_lower_hex(e.sha256, 64))
        return malformed("bad digest for " + e.path);
      if (!seen.insert(e.path).second)
        return malformed("file listed twice: " + e.path);
      m.files.push_back(std::move(e));
    }
    return m;
  } catch (const json::exception&) {
    return malformed("missing or mistyped field");
  }
}

std::string manifest_mac(const SecretBytes& backup_key, std::string_view manifest_text) {
  return to_hex(crypto::hmac_sha256(backup_key.reveal(), view(manifest_text)));
}

Result<BackupManifest> authenticate_manifest(const SecretBytes& backup_key,
                                             std::string_view manifest_text,
                                             std::string_view mac_text) {
  while (!mac_text.empty() && (mac_text.back() == '\n' || mac_text.back() == '\r'))
    mac_text.remove_suffix(1);
  const std::string expected = manifest_mac(backup_key, manifest_text);
  if (mac_text.size() == expected.size() &&
      crypto::constant_time_equal(view(expected), view(mac_text))) {
    return parse_manifest(manifest_text);
  }
  auto parsed = parse_manifest(manifest_text);
  if (parsed.ok() && parsed->key_id != backup_key_id(backup_key)) {
    return make_error(ErrorCode::kPermissionDenied,
                      "the backup was made under another root key (its key id " + parsed->key_id +
                          ", this key's " + backup_key_id(backup_key) +
                          "): wrong --key-file, or another archive's backup");
  }
  return make_error(ErrorCode::kIntegrity,
                    "manifest.json does not match manifest.hmac: the manifest was altered");
}

}  // namespace arca::service
