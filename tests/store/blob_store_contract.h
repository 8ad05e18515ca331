// The BlobStore contract (src/store/blob_store.h), as one test suite every implementation runs
// (STYLE rule 13). Instantiate with a factory:
//   INSTANTIATE_TEST_SUITE_P(Fs, BlobStoreContract, ::testing::Values(make_fs_store));
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <set>

#include "store/blob_store.h"

namespace arca::store {

// Owns whatever the store under test needs (directories, inner stores, keys).
struct BlobStoreFixture {
  virtual ~BlobStoreFixture() = default;
  virtual BlobStore& store() = 0;
};

using BlobStoreFactory = std::function<std::unique_ptr<BlobStoreFixture>()>;

class BlobStoreContract : public ::testing::TestWithParam<BlobStoreFactory> {
 protected:
  void SetUp() override { fixture_ = GetParam()(); }
  BlobStore& store() { return fixture_->store(); }

  static BlobId id(int n) {
    std::string s = std::to_string(n);
    return BlobId(std::string(32 - s.size(), 'a') + s);
  }
  static BlobScope scope() { return BlobScope{TenantId("t1"), PatientRef(std::string(64, 'a'))}; }

  Result<void> put(const BlobId& blob, ByteView data) {
    auto w = ARCA_TRY(store().create(blob, scope()));
    ARCA_TRY(w->write(data));
    return w->commit();
  }

  Bytes read(const BlobId& blob) {
    auto r = store().open(blob);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
    if (!r.ok())
      return {};
    BlobSource src(*r.value());
    return read_all(src, 1 << 30).value();
  }

  std::unique_ptr<BlobStoreFixture> fixture_;
};

inline Bytes pattern_bytes(std::size_t n, int seed) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i)
    b[i] = static_cast<std::uint8_t>((i * 131 + seed) % 251);
  return b;
}

TEST_P(BlobStoreContract, RoundTripsSizes) {
  int n = 0;
  for (std::size_t size : {0ul, 1ul, 4096ul, 65536ul, 65537ul, 1000000ul}) {
    Bytes data = pattern_bytes(size, n);
    ASSERT_TRUE(put(id(++n), data).ok());
    EXPECT_EQ(read(id(n)), data) << "size " << size;
    auto r = store().open(id(n)).value();
    EXPECT_EQ(r->size(), size);
  }
}

TEST_P(BlobStoreContract, InvisibleUntilCommitted) {
  auto w = store().create(id(1), scope()).value();
  ASSERT_TRUE(w->write(pattern_bytes(100, 1)).ok());
  auto open = store().open(id(1));
  ASSERT_FALSE(open.ok());
  EXPECT_EQ(open.error().code, ErrorCode::kNotFound);
  w.reset();  // abandoned without commit
  EXPECT_EQ(store().open(id(1)).error().code, ErrorCode::kNotFound);
  int listed = 0;
  ASSERT_TRUE(store()
                  .list([&](const BlobInfo&) -> Result<void> {
                    ++listed;
                    return ok();
                  })
                  .ok());
  EXPECT_EQ(listed, 0);
}

TEST_P(BlobStoreContract, RefusesToReplaceCommittedBlob) {
  ASSERT_TRUE(put(id(1), pattern_bytes(10, 1)).ok());
  auto again = store().create(id(1), scope());
  if (again.ok()) {
    ASSERT_TRUE(again.value()->write(pattern_bytes(10, 2)).ok());
    auto committed = again.value()->commit();
    ASSERT_FALSE(committed.ok());
    EXPECT_EQ(committed.error().code, ErrorCode::kAlreadyExists);
  } else {
    EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  }
  EXPECT_EQ(read(id(1)), pattern_bytes(10, 1));
}

TEST_P(BlobStoreContract, RangeReads) {
  Bytes data = pattern_bytes(300000, 7);
  ASSERT_TRUE(put(id(1), data).ok());
  auto r = store().open(id(1)).value();
  for (std::uint64_t offset : {0ul, 1ul, 65535ul, 65536ul, 131071ul, 299990ul}) {
    Bytes out(20);
    std::size_t n = r->read_at(offset, out).value();
    std::size_t want = std::min<std::size_t>(20, data.size() - offset);
    ASSERT_EQ(n, want);
    EXPECT_TRUE(std::equal(out.begin(), out.begin() + static_cast<long>(n),
                           data.begin() + static_cast<long>(offset)));
  }
  Bytes past(10);
  EXPECT_EQ(r->read_at(data.size(), past).value(), 0u);
}

TEST_P(BlobStoreContract, RemoveAndList) {
  for (int i = 1; i <= 5; ++i)
    ASSERT_TRUE(put(id(i), pattern_bytes(10, i)).ok());
  ASSERT_TRUE(store().remove(id(3)).ok());
  EXPECT_EQ(store().remove(id(3)).error().code, ErrorCode::kNotFound);
  std::set<std::string> seen;
  ASSERT_TRUE(store()
                  .list([&](const BlobInfo& info) -> Result<void> {
                    seen.insert(info.id.str());
                    return ok();
                  })
                  .ok());
  EXPECT_EQ(seen, (std::set<std::string>{id(1).str(), id(2).str(), id(4).str(), id(5).str()}));
  EXPECT_EQ(store().open(id(3)).error().code, ErrorCode::kNotFound);
}

TEST_P(BlobStoreContract, UnknownBlobIsNotFound) {
  EXPECT_EQ(store().open(id(99)).error().code, ErrorCode::kNotFound);
}

}  // namespace arca::store
