// POST /api/v1/admin/backups: a backup of the running archive (docs/adr/0019-backup-and-restore.md)
// into the directory the operator configured ([backup] dir, and the key vault export into
// [backup] keys_dir); the request names no path. Answers when the backup is complete.
#include "api/json_io.h"
#include "api/request_context.h"
#include "api/routes.h"

namespace arca::api {
namespace {

using http::Access;
using http::Method;
using http::Request;
using http::Response;
using nlohmann::json;

}  // namespace

Result<void> register_backup_routes(http::Router& router, service::BackupService& backups,
                                    const service::BackupDirs& dirs) {
  auto create = [&backups, dirs](Request& request) -> Result<Response> {
    auto made = ARCA_TRY(backups.create_named(request_context(request), dirs));
    const service::BackupManifest& m = made.backup.manifest;
    json out{{"name", made.backup.dir.filename().string()},
             {"created", service::backup_time_text(m.created_ms)},
             {"mode", m.mode},
             {"instances", m.instances},
             {"blobs", m.blobs},
             {"blob_bytes", m.blob_bytes},
             {"key_id", m.key_id}};
    if (made.keys_file)
      out["keys_file"] = made.keys_file->filename().string();
    return json_response(201, out);
  };
  return router.add({Method::kPost, "/api/v1/admin/backups",
                     Access::require(Permission::kAdminSettings), AuditAction::kBackup,
                     kMaxJsonBody, create});
}

}  // namespace arca::api
