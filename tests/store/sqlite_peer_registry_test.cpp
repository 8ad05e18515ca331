#include "store/sqlite/sqlite_peer_registry.h"

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_index.h"
#include "test_dir.h"

namespace arca::store {
namespace {

SecretBytes index_key() {
  return SecretBytes(Bytes(32, 7));
}

Peer modality() {
  Peer p;
  p.ae_title = "CT1";
  p.host = "10.0.0.5";
  p.port = 104;
  p.tenant = TenantId("radiology");
  p.allowed = {PeerOperation::kStore, PeerOperation::kFind};
  return p;
}

class SqlitePeerRegistryTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqlitePeerRegistry> open() {
    auto r = SqlitePeerRegistry::open(dir_.path() / "index.db", index_key());
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? std::move(r).take() : nullptr;
  }
  test::TempDir dir_;
};

TEST_F(SqlitePeerRegistryTest, AddFindListRemove) {
  auto reg = open();
  ASSERT_TRUE(reg->add_peer(modality()).ok());
  Peer ws = modality();
  ws.ae_title = "WS";
  ws.transport = PeerTransport::kTls;
  ws.certificate_fingerprint = std::string(64, 'a');
  ws.allowed = {PeerOperation::kMove, PeerOperation::kGet};
  ASSERT_TRUE(reg->add_peer(ws).ok());

  auto found = reg->find_peer("CT1");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->host, "10.0.0.5");
  EXPECT_EQ((*found)->tenant, TenantId("radiology"));
  EXPECT_TRUE((*found)->may(PeerOperation::kFind));
  EXPECT_FALSE((*found)->may(PeerOperation::kMove));
  EXPECT_EQ((*found)->transport, PeerTransport::kPlain);

  auto all = reg->list_peers();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].ae_title, "WS");
  EXPECT_EQ((*all)[1].transport, PeerTransport::kTls);
  EXPECT_EQ((*all)[1].certificate_fingerprint, std::string(64, 'a'));
  EXPECT_EQ((*all)[1].allowed, (std::set{PeerOperation::kMove, PeerOperation::kGet}));

  ASSERT_TRUE(reg->remove_peer("CT1").ok());
  EXPECT_FALSE(reg->find_peer("CT1")->has_value());
  EXPECT_EQ(reg->remove_peer("CT1").error().code, ErrorCode::kNotFound);
}

TEST_F(SqlitePeerRegistryTest, DuplicateAndMalformedPeersAreRefused) {
  auto reg = open();
  ASSERT_TRUE(reg->add_peer(modality()).ok());
  EXPECT_EQ(reg->add_peer(modality()).error().code, ErrorCode::kAlreadyExists);
  Peer bad = modality();
  bad.ae_title = "THIS_AE_TITLE_IS_TOO_LONG";
  EXPECT_EQ(reg->add_peer(bad).error().code, ErrorCode::kInvalidArgument);
  bad = modality();
  bad.port = 0;
  EXPECT_EQ(reg->add_peer(bad).error().code, ErrorCode::kInvalidArgument);
  bad = modality();
  bad.certificate_fingerprint = "ABCDEF";
  EXPECT_EQ(reg->add_peer(bad).error().code, ErrorCode::kInvalidArgument);
}

TEST_F(SqlitePeerRegistryTest, PeersPersistAndShareTheIndexFile) {
  {
    auto index = SqliteIndex::open(dir_.path() / "index.db", index_key());
    ASSERT_TRUE(index.ok());
    auto reg = open();
    ASSERT_TRUE(reg->add_peer(modality()).ok());
  }
  auto reg = open();
  EXPECT_TRUE(reg->find_peer("CT1")->has_value());
  auto index = SqliteIndex::open(dir_.path() / "index.db", index_key());
  EXPECT_TRUE(index.ok());
}

TEST(PeerOperationTest, NamesRoundTrip) {
  for (auto op : {PeerOperation::kStore, PeerOperation::kFind, PeerOperation::kMove,
                  PeerOperation::kGet, PeerOperation::kReceive}) {
    EXPECT_EQ(parse_peer_operation(peer_operation_name(op)), op);
  }
  EXPECT_FALSE(parse_peer_operation("delete").has_value());
}

}  // namespace
}  // namespace arca::store
