// A real SqliteAuditLog in a temp audit.db, a raw connection to tamper with it, and events.
#pragma once

#include <gtest/gtest.h>

#include "audit/chained_recorder.h"
#include "audit/event.h"
#include "store/sqlite/sqlite_audit_log.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_schema.h"
#include "test_dir.h"

namespace arca::audit::test {

inline SecretBytes log_key() {
  return SecretBytes(Bytes(32, 7));
}
inline SecretBytes mac_key() {
  return SecretBytes(Bytes(32, 9));
}

inline AuditEvent event(int i) {
  AuditEvent e;
  e.time = Clock::TimePoint(std::chrono::milliseconds(1'700'000'000'000 + i));
  e.actor = "ae:CT" + std::to_string(i % 3);
  e.tenant = TenantId("default");
  e.action = AuditAction::kStore;
  e.detail = "stored";
  e.patients = {PatientRef("cafe" + std::to_string(i))};
  e.studies = {StudyUid("1.2.3." + std::to_string(i))};
  e.instances = {InstanceUid("1.2.3.4." + std::to_string(i))};
  e.client_address = "127.0.0.1:104";
  e.request_id = "r" + std::to_string(i);
  return e;
}

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = store::SqliteAuditLog::open(dir_.path() / "audit.db", log_key()).value();
  }

  std::unique_ptr<ChainedAuditRecorder> recorder(ChainedRecorderOptions options = {}) {
    auto r = ChainedAuditRecorder::open(ChainedRecorderDeps{*log_, clock_, logger_},
                                        CheckpointSigner(mac_key()), options);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return std::move(r).take();
  }

  // Records n events and closes (so a final checkpoint signs the head).
  void write_log(int n, ChainedRecorderOptions options = {}) {
    auto rec = recorder(options);
    for (int i = 1; i <= n; ++i)
      ASSERT_TRUE(rec->record(event(i)).ok());
    ASSERT_TRUE(rec->close().ok());
  }

  // A raw connection to the encrypted file, as an insider with the audit log's key could open.
  std::unique_ptr<store::sqlite::Connection> raw_connection() {
    store::sqlite::ConnectionOptions o;
    o.file = dir_.path() / "audit.db";
    o.application_id = store::sqlite::kAuditApplicationId;
    o.what = "audit log";
    return store::sqlite::Connection::open(o, log_key()).value();
  }

  // SQL straight into the encrypted file; the append-only triggers are dropped first, as such
  // an insider would.
  void tamper(const std::string& sql) {
    auto conn = raw_connection();
    auto r = conn->exec(
        "DROP TRIGGER IF EXISTS audit_records_append_only_update;"
        "DROP TRIGGER IF EXISTS audit_records_append_only_delete;" +
        sql);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
  }

  arca::test::TempDir dir_;
  std::unique_ptr<store::SqliteAuditLog> log_;
  ManualClock clock_{Clock::TimePoint(std::chrono::milliseconds(1'700'000'000'000))};
  NullLogger logger_;
};

}  // namespace arca::audit::test
