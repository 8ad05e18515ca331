// BackupService and restore on a real archive (app::Archive: SQLite3MC index, audit trail and
// vault, pack files, encryption): what a backup holds, what verify catches, erased patients.
#include "service/backup_service.h"

#include <gtest/gtest.h>

#include <fstream>

#include "app/archive.h"
#include "app/backup_schedule.h"
#include "core/file.h"
#include "crypto/hash.h"
#include "crypto/key_provider.h"
#include "crypto/system_random.h"
#include "dicom/dcmtk_init.h"
#include "store/encrypted/key_hierarchy.h"
#include "store/sqlite/sqlite_key_vault.h"
#include "test_dir.h"

namespace arca::app {
namespace {

namespace fs = std::filesystem;

const char* kCorpus = "/usr/lib/python3/dist-packages/pydicom/data/test_files/";

Bytes slurp(const fs::path& p) {
  auto b = read_file(p, 64 << 20);
  EXPECT_TRUE(b.ok()) << p;
  return b.ok() ? *b : Bytes{};
}

void spit(const fs::path& p, ByteView data) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

class BackupServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dicom::init_dcmtk();
    config_.data_dir = dir_.path() / "data";
    config_.key_file = dir_.path() / "secrets" / "root.key";
    open();
    for (const char* name : {"CT_small.dcm", "MR_small.dcm"}) {
      auto stored =
          archive_->ingest().store(service::console_context(), slurp(fs::path(kCorpus) / name));
      ASSERT_TRUE(stored.ok()) << stored.error().to_string();
    }
  }

  void open() {
    archive_.reset();
    auto a = Archive::open(config_, logger_);
    ASSERT_TRUE(a.ok()) << a.error().to_string();
    archive_ = std::move(a).value();
  }

  // The files of a backup, by path relative to it.
  std::vector<std::string> blob_files(const fs::path& backup) {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(backup / "blobs")) {
      if (e.is_regular_file())
        out.push_back(fs::relative(e.path(), backup).generic_string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::vector<store::AuditRecord> backup_records() {
    std::vector<store::AuditRecord> out;
    auto all = archive_->audit_log().read(1, 100000);
    EXPECT_TRUE(all.ok());
    if (!all.ok())
      return out;
    for (auto& r : *all) {
      if (r.action == "backup")
        out.push_back(r);
    }
    return out;
  }

  test::TempDir dir_;
  Config config_;
  NullLogger logger_;
  std::unique_ptr<Archive> archive_;
};

TEST_F(BackupServiceTest, CreateWritesAVerifiableEncryptedBackup) {
  const fs::path to = dir_.path() / "b1";
  auto made =
      archive_->backups().create(service::console_context(), to, service::BackupMode::kOffline);
  ASSERT_TRUE(made.ok()) << made.error().to_string();
  EXPECT_EQ(made->manifest.instances, 2u);
  EXPECT_EQ(made->manifest.blobs, 2u);
  EXPECT_EQ(made->manifest.files.size(), 3u);  // index.db, audit.db, blobs.list
  EXPECT_TRUE(fs::exists(to / "manifest.hmac"));
  EXPECT_FALSE(fs::exists(to / "keys"));
  EXPECT_EQ(blob_files(to).size(), 2u);
  for (const auto& e : fs::recursive_directory_iterator(to)) {
    if (!e.is_regular_file())
      continue;  // nothing in clear: no name, no id, no SQLite header
    Bytes data = slurp(e.path());
    std::string text(data.begin(), data.end());
    EXPECT_EQ(text.find("CompressedSamples"), std::string::npos) << e.path();
    EXPECT_EQ(text.find("SQLite format"), std::string::npos) << e.path();
    EXPECT_EQ(text.find("1CT1"), std::string::npos) << e.path();
  }
  auto report = archive_->backups().verify(service::console_context(), to);
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  EXPECT_TRUE(report->ok()) << report->problems.size();
  EXPECT_EQ(report->blobs_authenticated, 2u);
  auto records = backup_records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].outcome, "success");
  EXPECT_NE(records[0].detail.find("backup created (offline): 2 instances"), std::string::npos);
  EXPECT_NE(records[1].detail.find("backup verified"), std::string::npos);
}

TEST_F(BackupServiceTest, RefusesAnExistingDestinationAndRecordsTheFailure) {
  const fs::path to = dir_.path() / "taken";
  fs::create_directories(to);
  spit(to / "something", as_bytes(std::string("x")));
  auto made =
      archive_->backups().create(service::console_context(), to, service::BackupMode::kOffline);
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.error().code, ErrorCode::kAlreadyExists);
  auto records = backup_records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].outcome, "failure");
  EXPECT_EQ(records[0].error_code, "already_exists");
}

TEST_F(BackupServiceTest, OnlyASystemAdminMayBackUp) {
  service::RequestContext ctx = service::console_context();
  ctx.principal.system_admin = false;  // a tenant's admin: admin.settings, one tenant only
  auto made = archive_->backups().create(ctx, dir_.path() / "b", service::BackupMode::kOnline);
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.error().code, ErrorCode::kPermissionDenied);
  EXPECT_FALSE(fs::exists(dir_.path() / "b"));
}

// An attacker who could also re-sign the manifest still cannot alter a blob: GCM catches it.
TEST_F(BackupServiceTest, VerifyAuthenticatesEachBlobWithGcm) {
  const fs::path to = dir_.path() / "b1";
  ASSERT_TRUE(archive_->backups()
                  .create(service::console_context(), to, service::BackupMode::kOffline)
                  .ok());
  const std::string victim = blob_files(to)[0];
  Bytes blob = slurp(to / victim);
  blob[blob.size() / 2] ^= 0x01;
  spit(to / victim, blob);
  // Re-list the blob with its new digest, and the list in the re-signed manifest.
  Bytes list = slurp(to / "blobs.list");
  std::string list_text(list.begin(), list.end());
  const std::string id = fs::path(victim).filename().string();
  std::size_t at = list_text.find(id);
  ASSERT_NE(at, std::string::npos);
  std::size_t line_start = list_text.rfind('\n', at);
  line_start = line_start == std::string::npos ? 0 : line_start + 1;
  list_text.replace(line_start, 64, to_hex(crypto::sha256(blob)));
  spit(to / "blobs.list", as_bytes(list_text));
  Bytes text = slurp(to / "manifest.json");
  auto m = service::parse_manifest(as_chars(text)).value();
  for (auto& f : m.files) {
    if (f.path == "blobs.list")
      f.sha256 = to_hex(crypto::sha256(as_bytes(list_text)));
  }
  std::string resigned = service::serialize_manifest(m);
  spit(to / "manifest.json", as_bytes(resigned));
  spit(to / "manifest.hmac", as_bytes(service::manifest_mac(archive_->backup_key(), resigned)));
  auto report = archive_->backups().verify(service::console_context(), to);
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  ASSERT_EQ(report->problems.size(), 1u);
  EXPECT_EQ(report->problems[0].subject, victim);
  EXPECT_NE(report->problems[0].problem.find("damaged or altered"), std::string::npos);
  EXPECT_EQ(report->blobs_authenticated, 1u);
  EXPECT_EQ(backup_records().back().outcome, "failure");
}

TEST_F(BackupServiceTest, AnErasedPatientIsReportedAsErasedNotAsDamage) {
  const fs::path to = dir_.path() / "b1";
  ASSERT_TRUE(archive_->backups()
                  .create(service::console_context(), to, service::BackupMode::kOffline)
                  .ok());
  std::vector<store::StoredInstance> rows;
  ASSERT_TRUE(archive_->index()
                  .for_each_instance([&](const store::StoredInstance& r) -> Result<void> {
                    rows.push_back(r);
                    return ok();
                  })
                  .ok());
  ASSERT_EQ(rows.size(), 2u);
  archive_.reset();
  {  // crypto-shred the first patient, as erasure does
    crypto::SystemRandom random;
    crypto::FileKeyProvider provider(config_.key_file, random);
    SecretBytes root = provider.root_key().value();
    auto vault =
        store::SqliteKeyVault::open(config_.data_dir / "keys" / "vault.db",
                                    crypto::derive_key(root, crypto::KeyPurpose::kVault).value())
            .value();
    auto keys = store::KeyHierarchy::create(provider, *vault, random).value();
    ASSERT_TRUE(keys->erase_patient(rows[0].tenant, rows[0].patient_ref).ok());
  }
  open();
  auto report = archive_->backups().verify(service::console_context(), to);
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->erased_instances, 1u);
  ASSERT_EQ(report->erased_patients.size(), 1u);
  EXPECT_EQ(report->erased_patients[0], rows[0].patient_ref);
  EXPECT_EQ(report->blobs_authenticated, 1u);
}

TEST_F(BackupServiceTest, KeyExportIsAVaultThatOpensUnderTheRootKeyOnly) {
  const fs::path to = dir_.path() / "vault.keys";
  auto size = archive_->backups().export_keys(service::console_context(), to);
  ASSERT_TRUE(size.ok()) << size.error().to_string();
  EXPECT_EQ(fs::file_size(to), *size);
  EXPECT_EQ(fs::status(to).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_TRUE(archive_->backup_storage().check(service::BackupDatabase::kKeyVault, to).ok());
  auto wrong = archive_->backup_storage().check(service::BackupDatabase::kIndex, to);
  EXPECT_FALSE(wrong.ok());
  auto again = archive_->backups().export_keys(service::console_context(), to);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
}

}  // namespace
}  // namespace arca::app

namespace arca::app {
namespace {

TEST(BackupSchedule, ParsesOnlyRealTimesOfDay) {
  EXPECT_EQ(parse_minute_of_day("00:00"), 0);
  EXPECT_EQ(parse_minute_of_day("02:30"), 150);
  EXPECT_EQ(parse_minute_of_day("23:59"), 1439);
  for (const char* bad : {"24:00", "12:60", "2:00", "02:00Z", "", "ab:cd", "02-00"})
    EXPECT_FALSE(parse_minute_of_day(bad)) << bad;
}

}  // namespace
}  // namespace arca::app
