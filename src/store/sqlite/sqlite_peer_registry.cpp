#include "store/sqlite/sqlite_peer_registry.h"

#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_schema.h"

namespace arca::store {

using sqlite::Connection;

namespace {

constexpr std::string_view kSelect =
    "SELECT ae_title, host, port, tenant, operations, tls, certificate_fingerprint "
    "FROM dimse_peers ";

std::string join_operations(const std::set<PeerOperation>& ops) {
  std::string out;
  for (PeerOperation op : ops) {
    if (!out.empty())
      out += ',';
    out += peer_operation_name(op);
  }
  return out;
}

std::set<PeerOperation> split_operations(std::string_view text) {
  std::set<PeerOperation> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    if (auto op = parse_peer_operation(text.substr(0, comma)))
      out.insert(*op);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return out;
}

Peer read_peer(const sqlite::Statement& st) {
  Peer p;
  p.ae_title = st.column_text(0);
  p.host = st.column_text(1);
  p.port = static_cast<int>(st.column_int(2));
  p.tenant = TenantId(st.column_text(3));
  p.allowed = split_operations(st.column_text(4));
  p.transport = st.column_int(5) != 0 ? PeerTransport::kTls : PeerTransport::kPlain;
  p.certificate_fingerprint = st.column_text(6);
  return p;
}

}  // namespace

SqlitePeerRegistry::SqlitePeerRegistry(std::unique_ptr<Connection> conn) : conn_(std::move(conn)) {}
SqlitePeerRegistry::~SqlitePeerRegistry() = default;

Result<std::unique_ptr<SqlitePeerRegistry>> SqlitePeerRegistry::open(
    const std::filesystem::path& index_file, SecretBytes key) {
  auto conn = ARCA_TRY(sqlite::open_index_side_connection(index_file, key, 256));
  return std::make_unique<SqlitePeerRegistry>(std::move(conn));
}

Result<std::optional<Peer>> SqlitePeerRegistry::find_peer(std::string_view ae_title) {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(conn_->cached(std::string(kSelect) + "WHERE ae_title = ?"));
  st.bind(1, ae_title);
  if (!ARCA_TRY(st.step()))
    return std::optional<Peer>();
  return std::optional<Peer>(read_peer(st));
}

Result<std::vector<Peer>> SqlitePeerRegistry::list_peers() {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(conn_->cached(std::string(kSelect) + "ORDER BY ae_title"));
  std::vector<Peer> out;
  while (ARCA_TRY(st.step()))
    out.push_back(read_peer(st));
  return out;
}

Result<std::optional<TenantId>> SqlitePeerRegistry::open_storage_tenant() {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(conn_->cached("SELECT id FROM tenants WHERE open_storage = 1 ORDER BY id"));
  if (!ARCA_TRY(st.step()))
    return std::optional<TenantId>();
  return std::optional<TenantId>(TenantId(st.column_text(0)));
}

Result<void> SqlitePeerRegistry::add_peer(const Peer& peer) {
  ARCA_TRY(validate_peer(peer));
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(
      conn_->cached("INSERT INTO dimse_peers (ae_title, host, port, tenant, operations, tls, "
                    "certificate_fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (ae_title) DO NOTHING"));
  st.bind(1, peer.ae_title)
      .bind(2, peer.host)
      .bind(3, std::int64_t{peer.port})
      .bind(4, peer.tenant.str())
      .bind(5, join_operations(peer.allowed))
      .bind(6, std::int64_t{peer.transport == PeerTransport::kTls ? 1 : 0})
      .bind(7, peer.certificate_fingerprint);
  ARCA_TRY(st.run());
  if (conn_->changes() == 0)
    return make_error(ErrorCode::kAlreadyExists, "a peer with this AE title exists");
  return ok();
}

Result<void> SqlitePeerRegistry::remove_peer(std::string_view ae_title) {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(conn_->cached("DELETE FROM dimse_peers WHERE ae_title = ?"));
  ARCA_TRY(st.bind(1, ae_title).run());
  if (conn_->changes() == 0)
    return make_error(ErrorCode::kNotFound, "no peer with this AE title");
  return ok();
}

}  // namespace arca::store
