#include "service/backup_manifest.h"

#include <gtest/gtest.h>

namespace arca::service {
namespace {

SecretBytes key(std::uint8_t fill) {
  return SecretBytes(Bytes(32, fill));
}

BackupManifest sample(const SecretBytes& k) {
  BackupManifest m;
  m.created_ms = 1'795'907'358'333;
  m.key_id = backup_key_id(k);
  m.mode = "offline";
  m.instances = 3;
  m.blob_bytes = 10;
  m.audit_records = 7;
  m.files = {{"index.db", 4096, std::string(64, 'a')},
             {"blobs/0a/0a000000000000000000000000000000", 10, std::string(64, 'b')}};
  return m;
}

TEST(BackupManifest, RoundTripsAndAuthenticates) {
  SecretBytes k = key(1);
  std::string text = serialize_manifest(sample(k));
  auto m = authenticate_manifest(k, text, manifest_mac(k, text) + "\n");
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_EQ(m->instances, 3u);
  EXPECT_EQ(m->files.size(), 2u);
  ASSERT_NE(m->find("index.db"), nullptr);
  EXPECT_EQ(m->find("index.db")->size, 4096u);
  EXPECT_EQ(m->find("audit.db"), nullptr);
}

TEST(BackupManifest, AnyChangedByteFailsTheMac) {
  SecretBytes k = key(1);
  std::string text = serialize_manifest(sample(k));
  std::string mac = manifest_mac(k, text);
  for (std::size_t i = 0; i < text.size(); i += 7) {
    std::string t = text;
    t[i] = static_cast<char>(t[i] ^ 0x01);
    auto m = authenticate_manifest(k, t, mac);
    ASSERT_FALSE(m.ok()) << i;
    EXPECT_TRUE(m.error().code == ErrorCode::kIntegrity ||
                m.error().code == ErrorCode::kPermissionDenied)
        << i;
  }
  std::string bad_mac = mac;
  bad_mac[0] = bad_mac[0] == '0' ? '1' : '0';
  auto m = authenticate_manifest(k, text, bad_mac);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::kIntegrity);
  EXPECT_NE(m.error().message.find("altered"), std::string::npos);
  EXPECT_FALSE(authenticate_manifest(k, text, "").ok());
}

TEST(BackupManifest, AnotherRootKeyIsNamedAsSuch) {
  SecretBytes mine = key(1);
  SecretBytes other = key(2);
  EXPECT_NE(backup_key_id(mine), backup_key_id(other));
  EXPECT_EQ(backup_key_id(mine), backup_key_id(key(1)));
  std::string text = serialize_manifest(sample(mine));
  auto m = authenticate_manifest(other, text, manifest_mac(mine, text));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(m.error().message.find("another root key"), std::string::npos);
}

TEST(BackupManifest, RefusesUnsafeOrMalformedContent) {
  SecretBytes k = key(1);
  for (const std::string& bad_path :
       {std::string("../x"), std::string("/etc/passwd"), std::string("a//b"), std::string("a/./b"),
        std::string("blobs/"), std::string("")}) {
    BackupManifest m = sample(k);
    m.files[0].path = bad_path;
    auto parsed = parse_manifest(serialize_manifest(m));
    EXPECT_FALSE(parsed.ok()) << bad_path;
  }
  BackupManifest dup = sample(k);
  dup.files[1].path = dup.files[0].path;
  EXPECT_FALSE(parse_manifest(serialize_manifest(dup)).ok());
  BackupManifest digest = sample(k);
  digest.files[0].sha256 = std::string(64, 'A');
  EXPECT_FALSE(parse_manifest(serialize_manifest(digest)).ok());
  BackupManifest version = sample(k);
  version.version = 2;
  EXPECT_FALSE(parse_manifest(serialize_manifest(version)).ok());
  EXPECT_FALSE(parse_manifest("not json").ok());
  EXPECT_FALSE(parse_manifest("[]").ok());
  EXPECT_FALSE(parse_manifest(R"({"format":"arca-backup","version":1})").ok());
}

TEST(BackupManifest, BlobPathsFollowTheFormat) {
  EXPECT_EQ(backup_blob_path(store::BlobId("ab12cd34ef56ab12cd34ef56ab12cd34")),
            "blobs/ab/ab12cd34ef56ab12cd34ef56ab12cd34");
}

}  // namespace
}  // namespace arca::service
