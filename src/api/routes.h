// The JSON API under /api/v1 (DESIGN §7). Every route declares its access and audit action;
// the use cases behind them authorize and audit again in service/.
//
//   POST /api/v1/auth/login                 public      {username, password}
//   POST /api/v1/auth/second-factor         signed in   {code}  (TOTP or a recovery code)
//   POST /api/v1/auth/logout                signed in
//   GET  /api/v1/me                         signed in   who am I, what is still owed
//   POST /api/v1/me/password                signed in   {current, new}
//   POST /api/v1/me/second-factor           signed in   start TOTP enrolment (QR code)
//   POST /api/v1/me/second-factor/confirm   signed in   {code} -> recovery codes
//   GET|POST /api/v1/users                  admin.users
//   GET|PATCH /api/v1/users/{id}            admin.users {disabled?, roles?}
//   POST /api/v1/users/{id}/password-reset  admin.users -> one-time password
//   POST /api/v1/users/{id}/second-factor-reset  admin.users
//   GET|POST /api/v1/users/{id}/grants, DELETE /api/v1/users/{id}/grants/{study}  admin.users
//   GET|POST /api/v1/tokens, DELETE /api/v1/tokens/{id}  study.query (any complete user)
//   GET|POST /api/v1/tenants, PATCH /api/v1/tenants/{id}   system admin (admin.users + checked)
//   GET|POST /api/v1/peers, DELETE /api/v1/peers/{ae}      admin.peers
//   GET /api/v1/audit?from&to&actor&action&outcome&study&patient_id&issuer&after&limit  audit.read
//     (order=newest: newest first, paged with before=seq; the answer has next_before)
//   POST /api/v1/audit/search {the same filters}                                   audit.read
//   GET /api/v1/audit/export?format=jsonl|dicom&filters, POST (JSON body)          audit.read
//   POST /api/v1/studies/{study}/documents  document.write  body: a PDF, JPEG or PNG file
//   GET /api/v1/studies/{study}/archive     study.export  the study as a streamed zip
//   DELETE /api/v1/studies/{study}          study.delete
//   POST /api/v1/admin/backups              admin.settings (system admin) -> the backup made
#pragma once

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "http/router.h"
#include "service/account_service.h"
#include "service/audit_search.h"
#include "service/backup_service.h"
#include "service/delete_service.h"
#include "service/document_service.h"
#include "service/peer_admin.h"
#include "service/retrieve_service.h"

namespace arca::api {

Result<void> register_auth_routes(http::Router& router, service::AccountService& accounts);
Result<void> register_admin_routes(http::Router& router, service::AccountService& accounts);
Result<void> register_token_routes(http::Router& router, service::AccountService& accounts);
Result<void> register_peer_routes(http::Router& router, service::PeerAdmin& peers);
Result<void> register_audit_routes(http::Router& router, service::AuditSearch& audit);
// Separate from register_api_routes: the documents use case needs the archive's stores.
Result<void> register_document_routes(http::Router& router, service::DocumentService& documents);
// A backup of the running archive into the configured directories.
Result<void> register_backup_routes(http::Router& router, service::BackupService& backups,
                                    const service::BackupDirs& dirs);
Result<void> register_study_routes(http::Router& router, service::RetrieveService& retrieve,
                                   service::DeleteService& deletion);

inline Result<void> register_api_routes(http::Router& router, service::AccountService& accounts,
                                        service::PeerAdmin& peers, service::AuditSearch& audit) {
  ARCA_TRY(register_auth_routes(router, accounts));
  ARCA_TRY(register_admin_routes(router, accounts));
  ARCA_TRY(register_token_routes(router, accounts));
  ARCA_TRY(register_peer_routes(router, peers));
  return register_audit_routes(router, audit);
}

// JSON of a user as the API shows it (never the hash, the TOTP secret or failure counters).
nlohmann::json user_json(const store::User& user);

}  // namespace arca::api
