#include "dimse/peer_admission.h"

#include <gtest/gtest.h>

#include <map>

namespace arca::dimse {
namespace {

class FakePeers final : public store::PeerDirectory {
 public:
  Result<std::optional<store::Peer>> find_peer(std::string_view ae) override {
    auto it = peers.find(std::string(ae));
    return it == peers.end() ? std::optional<store::Peer>() : std::optional(it->second);
  }
  Result<std::vector<store::Peer>> list_peers() override { return std::vector<store::Peer>(); }
  std::map<std::string, store::Peer> peers;
};

store::Peer peer(const std::string& ae) {
  store::Peer p;
  p.ae_title = ae;
  p.host = "127.0.0.1";
  p.tenant = TenantId("t1");
  p.allowed = {store::PeerOperation::kStore, store::PeerOperation::kMove};
  return p;
}

TEST(PeerAdmissionTest, KnownPeerBecomesAPrincipalWithItsAllowList) {
  FakePeers peers;
  peers.peers["CT1"] = peer("CT1");
  auto r = admit_peer(peers, {"CT1", "127.0.0.1", store::PeerTransport::kPlain, ""});
  ASSERT_EQ(r.admission, Admission::kAdmitted) << r.reason;
  EXPECT_EQ(r.principal.kind, service::Principal::Kind::kDimsePeer);
  EXPECT_EQ(r.principal.id, "ae:CT1");
  EXPECT_EQ(r.principal.tenant, TenantId("t1"));
  EXPECT_EQ(r.principal.permissions, (std::set{Permission::kStudyWrite, Permission::kImageRead}));
}

TEST(PeerAdmissionTest, UnknownWrongAddressWrongTransportAndWrongCertificateAreRefused) {
  FakePeers peers;
  peers.peers["CT1"] = peer("CT1");
  store::Peer tls = peer("SECURE");
  tls.transport = store::PeerTransport::kTls;
  tls.certificate_fingerprint = std::string(64, 'a');
  peers.peers["SECURE"] = tls;
  using T = store::PeerTransport;
  EXPECT_EQ(admit_peer(peers, {"NOBODY", "127.0.0.1", T::kPlain, ""}).admission,
            Admission::kUnknownPeer);
  EXPECT_EQ(admit_peer(peers, {"CT1", "10.0.0.1", T::kPlain, ""}).admission,
            Admission::kUnknownPeer);
  EXPECT_EQ(admit_peer(peers, {"SECURE", "127.0.0.1", T::kPlain, std::string(64, 'a')}).admission,
            Admission::kUnknownPeer);
  EXPECT_EQ(admit_peer(peers, {"SECURE", "127.0.0.1", T::kTls, std::string(64, 'b')}).admission,
            Admission::kUnknownPeer);
  EXPECT_EQ(admit_peer(peers, {"SECURE", "127.0.0.1", T::kTls, std::string(64, 'a')}).admission,
            Admission::kAdmitted);
}

TEST(PeerAdmissionTest, HostNamesAreResolved) {
  EXPECT_TRUE(host_matches("localhost", "127.0.0.1"));
  EXPECT_TRUE(host_matches("::1", "::1"));
  EXPECT_FALSE(host_matches("127.0.0.2", "127.0.0.1"));
}

}  // namespace
}  // namespace arca::dimse
