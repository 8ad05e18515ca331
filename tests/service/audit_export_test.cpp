// AuditSearch::export_records over a real SqliteAuditLog written by the real chained recorder:
// every match across many pages, read in small pieces; filters and tenant scope as in search;
// the export recorded before the first byte; refused without audit.read or without an audit
// trail to record it in.
#include <gtest/gtest.h>

#include "audit/chained_recorder.h"
#include "service/audit_search.h"
#include "service_fixture.h"
#include "store/sqlite/sqlite_audit_log.h"

namespace arca::service {
namespace {

class AuditExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = store::SqliteAuditLog::open(dir_.path() / "audit.db", SecretBytes(Bytes(32, 7))).value();
    recorder_ =
        audit::ChainedAuditRecorder::open(audit::ChainedRecorderDeps{*log_, clock_, logger_},
                                          audit::CheckpointSigner(SecretBytes(Bytes(32, 9))), {})
            .value();
    // 1,100 stores by three devices (more than one export page), then one in another tenant.
    for (int i = 1; i <= 1100; ++i) {
      audit::AuditEvent e;
      e.time = Clock::TimePoint(std::chrono::milliseconds(1'700'000'000'000 + i));
      e.actor = "ae:CT" + std::to_string(i % 3);
      e.tenant = default_tenant();
      e.action = AuditAction::kStore;
      e.studies = {StudyUid("1.2.3." + std::to_string(i))};
      e.patients = {refs_.ref(default_tenant(), "", i % 2 ? "PID-ODD" : "PID-EVEN")};
      ASSERT_TRUE(recorder_->record(e).ok());
    }
    audit::AuditEvent other;
    other.time = Clock::TimePoint(std::chrono::milliseconds(1'700'000'100'000));
    other.actor = "ae:CT1";
    other.tenant = TenantId("north");
    other.action = AuditAction::kStore;
    ASSERT_TRUE(recorder_->record(other).ok());
  }

  RequestContext auditor() const {
    Principal p;
    p.kind = Principal::Kind::kUser;
    p.id = "user:7";
    p.user_id = 7;
    p.tenant = default_tenant();
    p.permissions = {Permission::kAuditRead};
    return {p, "127.0.0.1", "req-export"};
  }

  AuditSearch search(audit::AuditRecorder& recorder) {
    return AuditSearch(AuditSearchDeps{*log_, refs_, recorder, clock_, logger_, "ARCA_TEST"});
  }

  // The whole stream, read 333 bytes at a time (pieces never align with lines or pages).
  static std::vector<std::string> lines(ByteSource& source) {
    std::string all;
    Bytes buf(333);
    while (true) {
      auto n = source.read(buf);
      EXPECT_TRUE(n.ok());
      if (!n.ok() || *n == 0)
        break;
      all.append(reinterpret_cast<const char*>(buf.data()), *n);
    }
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t nl; (nl = all.find('\n', start)) != std::string::npos; start = nl + 1)
      out.push_back(all.substr(start, nl - start));
    EXPECT_EQ(start, all.size()) << "the stream ends with a whole line";
    return out;
  }

  arca::test::TempDir dir_;
  std::unique_ptr<store::SqliteAuditLog> log_;
  ManualClock clock_{Clock::TimePoint(std::chrono::milliseconds(1'800'000'000'000))};
  NullLogger logger_;
  std::unique_ptr<audit::ChainedAuditRecorder> recorder_;
  FakePatientRefs refs_;
};

TEST_F(AuditExportTest, StreamsEveryMatchAcrossPagesAndRecordsItselfFirst) {
  AuditSearch s = search(*recorder_);
  AuditFilter f;
  f.limit = 5;  // ignored: an export is the whole range
  f.after = 99;
  auto source = s.export_records(auditor(), f, AuditExportFormat::kJsonl);
  ASSERT_TRUE(source.ok()) << source.error().to_string();
  // The export is the last record before a byte is read, and is part of what it exports.
  auto head = log_->head();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->seq, 1102u);
  auto got = lines(**source);
  ASSERT_EQ(got.size(), 1101u);  // this tenant's 1,100 stores and the export; not "north"
  EXPECT_NE(got.front().find("\"seq\":1,"), std::string::npos) << got.front();
  EXPECT_NE(got[1099].find("\"seq\":1100,"), std::string::npos);
  EXPECT_NE(got.back().find("\"action\":\"audit_read\""), std::string::npos) << got.back();
  EXPECT_NE(got.back().find("export jsonl"), std::string::npos) << got.back();
  EXPECT_NE(got.back().find("\"actor\":\"user:7\""), std::string::npos);
}

TEST_F(AuditExportTest, AppliesTheFiltersOfSearch) {
  AuditSearch s = search(*recorder_);
  AuditFilter f;
  f.actor = "ae:CT1";
  f.patient_id = "PID-ODD";
  f.to_ms = 1'700'000'001'000;  // the first 999 stores
  auto source = s.export_records(auditor(), f, AuditExportFormat::kDicom);
  ASSERT_TRUE(source.ok());
  auto got = lines(**source);
  // i % 3 == 1 and i odd, for i < 1000: i = 1, 7, 13, ..., 997.
  ASSERT_EQ(got.size(), 167u);
  for (const std::string& line : got) {
    EXPECT_EQ(line.rfind("<AuditMessage", 0), 0u) << line;
    EXPECT_NE(line.find("ARCA_TEST"), std::string::npos);
    EXPECT_EQ(line.find("PID-ODD"), std::string::npos) << "a patient id in clear";
  }
}

// A patient's access report (found through the trail's search keys) pages through that
// patient's records only, both ways, and the pages join up without a gap or a repeat.
TEST_F(AuditExportTest, APatientReportPagesThroughThatPatientsRecordsBothWays) {
  AuditSearch s = search(*recorder_);
  const std::string even = refs_.ref(default_tenant(), "", "PID-EVEN").str();
  for (bool newest_first : {false, true}) {
    AuditFilter f;
    f.patient_id = "PID-EVEN";
    f.limit = 120;
    f.newest_first = newest_first;
    std::vector<std::uint64_t> seqs;
    for (int pages = 0; pages < 20; ++pages) {
      auto page = s.search(auditor(), f);
      ASSERT_TRUE(page.ok()) << page.error().to_string();
      for (const auto& r : page->records) {
        EXPECT_EQ(r.patients, std::vector<std::string>{even});
        seqs.push_back(r.seq);
      }
      if (!page->next_after)
        break;
      (newest_first ? f.before : f.after) = *page->next_after;
    }
    ASSERT_EQ(seqs.size(), 550u) << "newest_first " << newest_first;
    for (std::size_t i = 0; i < seqs.size(); ++i)
      EXPECT_EQ(seqs[i], newest_first ? 1100 - 2 * i : 2 * (i + 1));
  }
}

TEST_F(AuditExportTest, AnAeTitleAloneAlsoMatchesThatModalitysPrefixedActors) {
  const std::int64_t from = 1'700'000'200'000;
  for (const char* actor : {"ae:CT1", "open:CT1", "CT1", "user:1", "ae:CT10"}) {
    audit::AuditEvent e;
    e.time = Clock::TimePoint(std::chrono::milliseconds(from));
    e.actor = actor;
    e.tenant = default_tenant();
    e.action = AuditAction::kStore;
    ASSERT_TRUE(recorder_->record(e).ok());
  }
  AuditSearch s = search(*recorder_);
  auto actors = [&](std::string wanted) {
    AuditFilter f;
    f.from_ms = from;
    f.to_ms = from + 1;
    f.actor = std::move(wanted);
    auto page = s.search(auditor(), f);
    EXPECT_TRUE(page.ok());
    std::vector<std::string> out;
    for (const auto& r : page->records)
      out.push_back(r.actor);
    return out;
  };
  EXPECT_EQ(actors("CT1"), (std::vector<std::string>{"ae:CT1", "open:CT1", "CT1"}));
  EXPECT_EQ(actors("ae:CT1"), (std::vector<std::string>{"ae:CT1"}));
  EXPECT_EQ(actors("open:CT1"), (std::vector<std::string>{"open:CT1"}));
  EXPECT_EQ(actors("user:1"), (std::vector<std::string>{"user:1"}));
  EXPECT_TRUE(actors("1").empty());
}

TEST_F(AuditExportTest, RefusedWithoutAuditReadAndRecordedAsAFailure) {
  AuditSearch s = search(*recorder_);
  RequestContext ctx = auditor();
  ctx.principal.permissions = {Permission::kStudyQuery, Permission::kImageRead};
  auto source = s.export_records(ctx, {}, AuditExportFormat::kJsonl);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().code, ErrorCode::kPermissionDenied);
  auto last = log_->read(1102, 1);
  ASSERT_TRUE(last.ok());
  ASSERT_EQ(last->size(), 1u);
  EXPECT_EQ((*last)[0].outcome, "failure");
  EXPECT_EQ((*last)[0].actor, "user:7");
}

TEST_F(AuditExportTest, NoExportWhenItCannotBeRecorded) {
  RecordingAudit broken;
  broken.fail = true;
  AuditSearch s = search(broken);
  auto source = s.export_records(auditor(), {}, AuditExportFormat::kJsonl);
  EXPECT_FALSE(source.ok());
}

}  // namespace
}  // namespace arca::service
