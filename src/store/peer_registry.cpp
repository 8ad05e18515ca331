#include "store/peer_registry.h"

#include <array>
#include <cctype>
#include <utility>

namespace arca::store {
namespace {

constexpr std::array<std::pair<PeerOperation, std::string_view>, 5> kNames{{
    {PeerOperation::kStore, "store"},
    {PeerOperation::kFind, "find"},
    {PeerOperation::kMove, "move"},
    {PeerOperation::kGet, "get"},
    {PeerOperation::kReceive, "receive"},
}};

bool valid_ae_title(std::string_view ae) {
  if (ae.empty() || ae.size() > 16)
    return false;
  bool any = false;
  for (char c : ae) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\\' || std::iscntrl(u) != 0 || u > 0x7e)
      return false;
    any = any || c != ' ';
  }
  return any;
}

bool valid_fingerprint(std::string_view fp) {
  if (fp.empty())
    return true;
  if (fp.size() != 64)
    return false;
  for (char c : fp) {
    if (std::isxdigit(static_cast<unsigned char>(c)) == 0 ||
        std::isupper(static_cast<unsigned char>(c)) != 0)
      return false;
  }
  return true;
}

}  // namespace

std::string_view peer_operation_name(PeerOperation op) {
  for (const auto& [value, name] : kNames) {
    if (value == op)
      return name;
  }
  return "unknown";
}

std::optional<PeerOperation> parse_peer_operation(std::string_view name) {
  for (const auto& [value, n] : kNames) {
    if (n == name)
      return value;
  }
  return std::nullopt;
}

Result<void> validate_peer(const Peer& peer) {
  if (!valid_ae_title(peer.ae_title))
    return make_error(ErrorCode::kInvalidArgument,
                      "AE title must be 1 to 16 printable ASCII characters without backslash");
  if (peer.host.empty() || peer.host.size() > 255)
    return make_error(ErrorCode::kInvalidArgument, "peer host must be 1 to 255 characters");
  if (peer.port < 1 || peer.port > 65535)
    return make_error(ErrorCode::kInvalidArgument, "peer port must be between 1 and 65535");
  if (peer.tenant.empty())
    return make_error(ErrorCode::kInvalidArgument, "peer needs a tenant");
  if (!valid_fingerprint(peer.certificate_fingerprint))
    return make_error(ErrorCode::kInvalidArgument,
                      "certificate fingerprint must be 64 lower-case hex digits (SHA-256)");
  return ok();
}

}  // namespace arca::store
