// The search filters of the audit trail (audit migration 2, sqlite_audit_filters.h): a search by
// patient, study or actor finds exactly the records that name it — checked against a brute-force
// match over every record, both ways, in small steps and within time ranges, across full
// segments and the unfiltered tail; filters built when a segment fills and for an existing trail;
// pruned with the records; a deleted or altered filter reported.
#include "store/sqlite/sqlite_audit_filters.h"

#include <gtest/gtest.h>

#include <random>

#include "store/sqlite/sqlite_audit_log.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_schema.h"
#include "test_dir.h"

namespace arca::store {
namespace {

using Seqs = std::vector<std::uint64_t>;

SecretBytes log_key() {
  return SecretBytes(Bytes(32, 7));
}

constexpr std::uint64_t kRecords = 3000;  // two full segments (1..2048) and a tail

// Record `seq` names patient p<seq % 97> (and "solo" at 1500, "tailonly" at 2990), study
// s<seq % 13>, actor user:<seq % 5>, at time seq seconds.
AuditRecord record(std::uint64_t seq) {
  AuditRecord r;
  r.seq = seq;
  r.time_ms = 1'000 * static_cast<std::int64_t>(seq);
  r.actor = "user:" + std::to_string(seq % 5);
  r.tenant = "default";
  r.action = "retrieve";
  r.outcome = "success";
  r.patients = {"p" + std::to_string(seq % 97)};
  if (seq == 1500)
    r.patients.push_back("solo");
  if (seq == 2990)
    r.patients.push_back("tailonly");
  r.studies = {"s" + std::to_string(seq % 13)};
  r.prev_hash = std::string(64, '0');
  r.hash = std::string(64, 'a');
  return r;
}

class SqliteAuditFiltersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = SqliteAuditLog::open(file(), log_key()).value();
    append(1, kRecords);
  }
  void append(std::uint64_t first, std::uint64_t last) {
    std::vector<AuditRecord> records;
    for (std::uint64_t s = first; s <= last; ++s)
      records.push_back(record(s));
    ASSERT_TRUE(log_->append(records).ok());
  }
  std::filesystem::path file() const { return dir_.path() / "audit.db"; }
  std::unique_ptr<sqlite::Connection> raw() {
    sqlite::ConnectionOptions o;
    o.file = file();
    o.application_id = sqlite::kAuditApplicationId;
    o.what = "audit log";
    return sqlite::Connection::open(o, log_key()).value();
  }
  std::int64_t filters() { return raw()->query_int("SELECT count(*) FROM audit_filters").value(); }

  // Every record the key finds, stepping with read_by_key until the end.
  Seqs find(const AuditKey& key, bool newest_first, std::size_t limit = 1000,
            std::int64_t from_ms = 0, std::int64_t to_ms = INT64_MAX) {
    Seqs out;
    std::uint64_t cursor = 0;
    for (int steps = 0; steps < 10000; ++steps) {
      auto page = log_->read_by_key(key, from_ms, to_ms, cursor, newest_first, limit);
      EXPECT_TRUE(page.ok()) << page.error().to_string();
      if (!page.ok())
        return out;
      EXPECT_LE(page->records.size(), limit);
      for (const auto& r : page->records)
        out.push_back(r.seq);
      if (page->end)
        return out;
      cursor = page->cursor;
    }
    ADD_FAILURE() << "no end";
    return out;
  }
  // What a brute-force match over the records present gives.
  static Seqs expected(const AuditKey& key, bool newest_first, std::uint64_t first = 1,
                       std::uint64_t last = kRecords, std::int64_t from_ms = 0,
                       std::int64_t to_ms = INT64_MAX) {
    Seqs out;
    for (std::uint64_t s = first; s <= last; ++s) {
      AuditRecord r = record(s);
      if (r.time_ms >= from_ms && r.time_ms < to_ms && sqlite::record_has_key(r, key))
        out.push_back(s);
    }
    if (newest_first)
      std::reverse(out.begin(), out.end());
    return out;
  }

  test::TempDir dir_;
  std::unique_ptr<SqliteAuditLog> log_;
};

const std::vector<AuditKey> kKeys = {
    {AuditKeyKind::kPatient, "p0"},     {AuditKeyKind::kPatient, "p96"},
    {AuditKeyKind::kPatient, "solo"},   {AuditKeyKind::kPatient, "tailonly"},
    {AuditKeyKind::kPatient, "nobody"}, {AuditKeyKind::kStudy, "s7"},
    {AuditKeyKind::kStudy, "p0"},       {AuditKeyKind::kActor, "user:3"},
    {AuditKeyKind::kActor, "user:"},    {AuditKeyKind::kPatient, "user:3"}};

TEST_F(SqliteAuditFiltersTest, FindsExactlyTheRecordsNamingAKeyBothWays) {
  EXPECT_EQ(filters(), 2);  // 1..1024 and 1025..2048; 2049..3000 is the tail
  for (const auto& key : kKeys) {
    for (bool newest_first : {false, true}) {
      SCOPED_TRACE(sqlite::audit_key_text(key) + (newest_first ? " newest first" : ""));
      EXPECT_EQ(find(key, newest_first), expected(key, newest_first));
      EXPECT_EQ(find(key, newest_first, 7), expected(key, newest_first));
      EXPECT_EQ(find(key, newest_first, 1), expected(key, newest_first));
    }
  }
  EXPECT_EQ(find({AuditKeyKind::kPatient, "solo"}, false), (Seqs{1500}));
  EXPECT_EQ(find({AuditKeyKind::kPatient, "tailonly"}, true), (Seqs{2990}));
}

TEST_F(SqliteAuditFiltersTest, KeepsToATimeRange) {
  const std::int64_t from = 1'000'000, to = 2'500'000;  // records 1000..2499
  for (const auto& key : kKeys) {
    for (bool newest_first : {false, true}) {
      SCOPED_TRACE(sqlite::audit_key_text(key));
      EXPECT_EQ(find(key, newest_first, 5, from, to),
                expected(key, newest_first, 1, kRecords, from, to));
    }
  }
}

// Time ranges have no index of their own: the segments' time spans narrow them to seqs. Every
// range and page size gives what a brute-force pass gives, paged both ways.
TEST_F(SqliteAuditFiltersTest, ReadsTimeRangesThroughTheSegmentsTimeSpans) {
  auto paged = [&](std::int64_t from, std::int64_t to, bool newest_first, std::size_t limit) {
    Seqs out;
    std::uint64_t cursor = 0;
    for (int pages = 0; pages < 10000; ++pages) {
      auto page = newest_first ? log_->read_time_range_newest_first(from, to, cursor, limit)
                               : log_->read_time_range(from, to, cursor, limit);
      EXPECT_TRUE(page.ok());
      if (!page.ok())
        break;
      EXPECT_LE(page->size(), limit);
      for (const auto& r : *page)
        out.push_back(r.seq);
      if (page->size() < limit)
        break;
      cursor = page->back().seq;
    }
    return out;
  };
  auto all = [](std::int64_t from, std::int64_t to, bool newest_first) {
    Seqs out;
    for (std::uint64_t s = 1; s <= kRecords; ++s) {
      const std::int64_t t = record(s).time_ms;
      if (t >= from && t < to)
        out.push_back(s);
    }
    if (newest_first)
      std::reverse(out.begin(), out.end());
    return out;
  };
  const std::pair<std::int64_t, std::int64_t> ranges[] = {
      {0, INT64_MAX},           // everything
      {500'000, 700'000},       // inside the first segment
      {1'000'000, 1'100'000},   // across the first two segments
      {2'000'000, 2'500'000},   // the second segment into the tail
      {2'900'000, INT64_MAX},   // the tail only
      {5'000'000, 6'000'000},   // after every record
      {1'024'000, 1'025'000}};  // the last record of one segment
  for (auto [from, to] : ranges) {
    for (bool newest_first : {false, true}) {
      for (std::size_t limit : {1000u, 77u}) {
        SCOPED_TRACE(std::to_string(from) + ".." + std::to_string(to) + " limit " +
                     std::to_string(limit) + (newest_first ? " newest first" : ""));
        EXPECT_EQ(paged(from, to, newest_first, limit), all(from, to, newest_first));
      }
    }
  }
}

TEST_F(SqliteAuditFiltersTest, AnAppendThatFillsASegmentBuildsItsFilter) {
  append(kRecords + 1, 3071);
  EXPECT_EQ(filters(), 2);
  append(3072, 3072);  // fills 2049..3072
  EXPECT_EQ(filters(), 3);
  EXPECT_EQ(find({AuditKeyKind::kPatient, "tailonly"}, false), (Seqs{2990}));
  EXPECT_EQ(log_->first_unkeyed_record().value(), std::nullopt);
}

// A trail written before the filters existed (audit migration 1 only) gets them when opened.
TEST_F(SqliteAuditFiltersTest, AnExistingTrailGetsItsFilters) {
  log_.reset();
  ASSERT_TRUE(raw()->exec("DROP TABLE audit_filters; PRAGMA user_version = 1").ok());
  log_ = SqliteAuditLog::open(file(), log_key()).value();
  EXPECT_EQ(filters(), 2);
  EXPECT_EQ(log_->first_unkeyed_record().value(), std::nullopt);
  for (const auto& key : kKeys)
    EXPECT_EQ(find(key, false), expected(key, false)) << sqlite::audit_key_text(key);
}

TEST_F(SqliteAuditFiltersTest, ReportsADeletedOrAlteredFilter) {
  EXPECT_EQ(log_->first_unkeyed_record().value(), std::nullopt);
  ASSERT_TRUE(raw()
                  ->exec("UPDATE audit_filters SET bits = zeroblob(length(bits)) "
                         "WHERE first_seq = 1025")
                  .ok());
  EXPECT_EQ(log_->first_unkeyed_record().value(), std::optional<std::uint64_t>(1025));
  EXPECT_EQ(find({AuditKeyKind::kPatient, "solo"}, false), Seqs{});  // what verify warns of
  ASSERT_TRUE(raw()->exec("DELETE FROM audit_filters WHERE first_seq = 1").ok());
  EXPECT_EQ(log_->first_unkeyed_record().value(), std::optional<std::uint64_t>(1));
}

TEST_F(SqliteAuditFiltersTest, PruningDropsTheFiltersOfPrunedSegments) {
  ASSERT_TRUE(log_->append_checkpoint(AuditCheckpoint{1500, record(1500).hash, 1, "ff"}).ok());
  ASSERT_EQ(log_->prune_through(1500).value(), 1500u);
  EXPECT_EQ(filters(), 1);  // 1025..2048 keeps its filter: records 1501..2048 are left
  for (const auto& key : kKeys) {
    for (bool newest_first : {false, true}) {
      EXPECT_EQ(find(key, newest_first), expected(key, newest_first, 1501))
          << sqlite::audit_key_text(key);
    }
  }
  EXPECT_EQ(log_->first_unkeyed_record().value(), std::nullopt);
}

TEST(KeyFilterTest, NeverMissesAKeyAndRarelyClaimsOne) {
  std::vector<std::string> keys;
  for (int i = 0; i < 3000; ++i)
    keys.push_back("p:" + std::to_string(i * 7919));
  auto filter = sqlite::KeyFilter::sized_for(keys.size());
  for (const auto& k : keys)
    filter.add(k);
  for (const auto& k : keys)
    EXPECT_TRUE(filter.may_contain(k));
  int false_positives = 0;
  for (int i = 0; i < 100000; ++i)
    false_positives += filter.may_contain("s:" + std::to_string(i)) ? 1 : 0;
  EXPECT_LT(false_positives, 1000);  // under 1 % (about 0.3 % expected)
  // Read back from its bits, it answers the same.
  sqlite::KeyFilter copy(filter.bits());
  EXPECT_TRUE(copy.may_contain(keys[1234]));
}

}  // namespace
}  // namespace arca::store
