#include "app/peer_command.h"

#include <cctype>
#include <nlohmann/json.hpp>
#include <ostream>

namespace arca::app {
namespace {

Result<std::set<store::PeerOperation>> parse_allow(const std::string& text) {
  std::set<store::PeerOperation> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    std::string name = text.substr(start, comma == std::string::npos ? comma : comma - start);
    if (!name.empty()) {
      auto op = store::parse_peer_operation(name);
      if (!op)
        return make_error(
            ErrorCode::kInvalidArgument,
            "unknown operation '" + name + "' (allowed: store,find,move,get,receive)");
      out.insert(*op);
    }
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  return out;
}

// "AB:CD:..." or "abcd..." -> "abcd...".
std::string normalize_fingerprint(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c != ':')
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string allow_text(const store::Peer& p) {
  std::string out;
  for (auto op : p.allowed)
    out += (out.empty() ? "" : ",") + std::string(store::peer_operation_name(op));
  return out;
}

int list(Archive& archive, bool json, std::ostream& out, std::ostream& err) {
  auto peers = archive.peer_admin().list(service::console_context());
  if (!peers.ok()) {
    err << "arca: " << peers.error().message << '\n';
    return 1;
  }
  if (json) {
    auto rows = nlohmann::json::array();
    for (const auto& p : *peers) {
      rows.push_back({{"ae_title", p.ae_title},
                      {"host", p.host},
                      {"port", p.port},
                      {"tenant", p.tenant.str()},
                      {"allow", allow_text(p)},
                      {"tls", p.transport == store::PeerTransport::kTls},
                      {"certificate_fingerprint", p.certificate_fingerprint}});
    }
    out << rows.dump() << '\n';
    return 0;
  }
  for (const auto& p : *peers) {
    out << p.ae_title << '\t' << p.host << ':' << p.port << '\t' << p.tenant << '\t'
        << allow_text(p) << '\t' << (p.transport == store::PeerTransport::kTls ? "tls" : "plain")
        << (p.certificate_fingerprint.empty() ? "" : "\tsha256:" + p.certificate_fingerprint)
        << '\n';
  }
  return 0;
}

}  // namespace

int run_peer(Archive& archive, const PeerCommand& c, std::ostream& out, std::ostream& err) {
  switch (c.action) {
    case PeerCommand::Action::kList:
      return list(archive, c.json, out, err);
    case PeerCommand::Action::kRemove: {
      auto removed = archive.peer_admin().remove(service::console_context(), c.ae_title);
      if (!removed.ok()) {
        err << "arca: " << removed.error().message << '\n';
        return 1;
      }
      return 0;
    }
    case PeerCommand::Action::kAdd:
      break;
  }
  auto allowed = parse_allow(c.allow);
  if (!allowed.ok()) {
    err << "arca: " << allowed.error().message << '\n';
    return 2;
  }
  store::Peer peer;
  peer.ae_title = c.ae_title;
  peer.host = c.host;
  peer.port = c.port;
  peer.tenant = TenantId(c.tenant);
  peer.allowed = std::move(allowed).take();
  peer.transport = c.tls ? store::PeerTransport::kTls : store::PeerTransport::kPlain;
  peer.certificate_fingerprint = normalize_fingerprint(c.certificate_fingerprint);
  auto added = archive.peer_admin().add(service::console_context(), peer);
  if (!added.ok()) {
    err << "arca: " << added.error().message << '\n';
    return added.error().code == ErrorCode::kInvalidArgument ? 2 : 1;
  }
  return 0;
}

}  // namespace arca::app
