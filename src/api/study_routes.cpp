// /api/v1/studies/{study}: what the worklist does to one study besides viewing it.
//   GET    …/archive  study.export  the study as a zip of its Part-10 files, streamed
//   DELETE …          study.delete  remove the study (index rows and blobs), audited
// The zip is an export (RetrieveService::open_export: image.read and study.export, the
// principal's scope, transfer_begin before the first byte, `export` at the end); entry names
// carry positions only (STUDY/SERIES-001/IMAGE-0001.dcm), never a name, ID or description.
#include <cstdio>

#include "api/json_io.h"
#include "api/request_context.h"
#include "api/route_binding.h"
#include "api/routes.h"
#include "api/zip_stream.h"
#include "service/audited_transfer.h"

namespace arca::api {
namespace {

using http::Access;
using http::Method;
using http::Request;
using http::Response;
using nlohmann::json;

std::string numbered(const char* prefix, std::size_t n, int width) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%s%0*zu", prefix, width, n);
  return buffer;
}

// One entry per instance, in export order (series by series).
std::vector<ZipEntry> zip_entries(const std::vector<store::StoredInstance>& instances) {
  std::vector<ZipEntry> out;
  std::size_t series = 0, image = 0;
  const SeriesUid* last = nullptr;
  for (const store::StoredInstance& row : instances) {
    if (last == nullptr || *last != row.attributes.series.series_uid) {
      last = &row.attributes.series.series_uid;
      ++series;
      image = 0;
    }
    ++image;
    out.push_back(
        {"STUDY/" + numbered("SERIES-", series, 3) + "/" + numbered("IMAGE-", image, 4) + ".dcm",
         row.size, row.received_ms});
  }
  return out;
}

// The zip of an exporting AuditedTransfer: records the export as done when the last byte was
// read, as failed on the first error (a damaged object, a read error), and (through the
// transfer's destructor) as interrupted when the client leaves early.
class ExportZip final : public ByteSource {
 public:
  explicit ExportZip(std::unique_ptr<service::AuditedTransfer> exporting)
      : export_(std::move(exporting)),
        zip_(zip_entries(export_->instances()),
             [this](std::size_t i) { return export_->open_verified(i); }) {}

  std::uint64_t size() const { return zip_.size(); }

  Result<std::size_t> read(MutableByteView out) override {
    auto n = zip_.read(out);
    if (!n.ok()) {
      (void)export_->finish(n.error());
      return n;
    }
    if (*n == 0)
      ARCA_TRY(export_->finish(ok()));
    return n;
  }

 private:
  std::unique_ptr<service::AuditedTransfer> export_;  // outlives zip_, whose opener uses it
  ZipStream zip_;
};

// The {study} of the path, refused unless it is a well-formed UID (it ends up in a header).
Result<StudyUid> study_param(const Request& request) {
  std::string uid(request.path_param("study").value_or(""));
  if (!is_valid_uid(uid))
    return make_error(ErrorCode::kInvalidArgument, "the study UID is not a valid UID");
  return StudyUid(std::move(uid));
}

Result<Response> archive(service::RetrieveService& retrieve, Request& request) {
  StudyUid study = ARCA_TRY(study_param(request));
  auto exporting = ARCA_TRY(retrieve.open_export(request_context(request), study));
  auto zip = std::make_unique<ExportZip>(std::move(exporting));
  std::uint64_t length = zip->size();
  Response r = Response::stream(200, http::StreamBody{std::move(zip), length}, "application/zip");
  r.headers().set("Content-Disposition", "attachment; filename=\"study-" + study.str() + ".zip\"");
  return r;
}

Result<Response> remove(service::DeleteService& deletion, Request& request) {
  StudyUid study = ARCA_TRY(study_param(request));
  auto report = ARCA_TRY(deletion.delete_study(request_context(request), study));
  return json_response(
      200,
      json{{"study", study.str()}, {"instances", report.instances}, {"series", report.series}});
}

}  // namespace

Result<void> register_study_routes(http::Router& router, service::RetrieveService& retrieve,
                                   service::DeleteService& deletion) {
  ARCA_TRY(router.add({Method::kGet, "/api/v1/studies/{study}/archive",
                       Access::require(Permission::kStudyExport), AuditAction::kExport,
                       kMaxJsonBody, bound(retrieve, archive)}));
  return router.add({Method::kDelete, "/api/v1/studies/{study}",
                     Access::require(Permission::kStudyDelete), AuditAction::kDelete, kMaxJsonBody,
                     bound(deletion, remove)});
}

}  // namespace arca::api
