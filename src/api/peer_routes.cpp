// /api/v1/peers: the DICOM peers allowed to associate (admin.peers), live — the DIMSE listeners
// read the registry on every association.
#include "api/json_io.h"
#include "api/request_context.h"
#include "api/route_binding.h"
#include "api/routes.h"

namespace arca::api {
namespace {

using http::Access;
using http::Method;
using http::Request;
using http::Response;
using nlohmann::json;

json peer_json(const store::Peer& p) {
  json allow = json::array();
  for (store::PeerOperation op : p.allowed)
    allow.push_back(store::peer_operation_name(op));
  return json{{"ae_title", p.ae_title},
              {"host", p.host},
              {"port", p.port},
              {"tenant", p.tenant.str()},
              {"allow", allow},
              {"tls", p.transport == store::PeerTransport::kTls},
              {"certificate_fingerprint", p.certificate_fingerprint}};
}

Result<store::Peer> peer_from(const json& body, const service::RequestContext& ctx) {
  store::Peer p;
  p.ae_title = ARCA_TRY(string_field(body, "ae_title"));
  p.host = ARCA_TRY(string_field(body, "host"));
  auto port = body.find("port");
  if (port != body.end()) {
    if (!port->is_number_integer())
      return make_error(ErrorCode::kInvalidArgument, "\"port\" must be a number");
    p.port = port->get<int>();
  }
  p.tenant = TenantId(optional_string(body, "tenant").value_or(ctx.principal.tenant.str()));
  auto allow = body.find("allow");
  if (allow == body.end() || !allow->is_array())
    return make_error(ErrorCode::kInvalidArgument,
                      "\"allow\" must be an array of store, find, move, get, receive");
  for (const json& op : *allow) {
    auto parsed =
        op.is_string() ? store::parse_peer_operation(op.get<std::string>()) : std::nullopt;
    if (!parsed)
      return make_error(ErrorCode::kInvalidArgument, "unknown operation " + op.dump());
    p.allowed.insert(*parsed);
  }
  p.transport =
      body.value("tls", false) ? store::PeerTransport::kTls : store::PeerTransport::kPlain;
  p.certificate_fingerprint = optional_string(body, "certificate_fingerprint").value_or("");
  return p;
}

Result<Response> list_peers(service::PeerAdmin& peers, Request& request) {
  json out = json::array();
  for (const store::Peer& p : ARCA_TRY(peers.list(request_context(request))))
    out.push_back(peer_json(p));
  return json_response(200, out);
}

Result<Response> add_peer(service::PeerAdmin& peers, Request& request) {
  json body = ARCA_TRY(read_json_object(request));
  auto ctx = request_context(request);
  store::Peer p = ARCA_TRY(peer_from(body, ctx));
  ARCA_TRY(peers.add(ctx, p));
  return json_response(201, peer_json(p));
}

Result<Response> remove_peer(service::PeerAdmin& peers, Request& request) {
  ARCA_TRY(peers.remove(request_context(request), request.path_param("ae").value_or("")));
  return Response(204);
}

}  // namespace

Result<void> register_peer_routes(http::Router& router, service::PeerAdmin& peers) {
  const Access admin = Access::require(Permission::kAdminPeers);
  const AuditAction a = AuditAction::kAdmin;
  ARCA_TRY(router.add(
      {Method::kGet, "/api/v1/peers", admin, a, kMaxJsonBody, bound(peers, list_peers)}));
  ARCA_TRY(
      router.add({Method::kPost, "/api/v1/peers", admin, a, kMaxJsonBody, bound(peers, add_peer)}));
  ARCA_TRY(router.add(
      {Method::kDelete, "/api/v1/peers/{ae}", admin, a, kMaxJsonBody, bound(peers, remove_peer)}));
  return ok();
}

}  // namespace arca::api
