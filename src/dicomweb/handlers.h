// Internal to dicomweb/: the request handlers behind the route table of routes.h.
#pragma once

#include "dicom/render.h"
#include "dicomweb/multipart.h"
#include "dicomweb/qido.h"
#include "dicomweb/routes.h"
#include "http/request.h"
#include "http/response.h"

namespace arca::dicomweb {

inline constexpr std::string_view kDicomJson = "application/dicom+json";

// Whether the Accept header (absent: anything) admits DICOM JSON: application/dicom+json,
// application/json, application/*, */*.
bool accepts_dicom_json(const http::Request& request);
// Whether the Accept header asks for the XML model: application/dicom+xml as the first media
// range, alone or as the type of multipart/related (the XML answers are multipart).
bool wants_dicom_xml(const http::Request& request);

// QIDO-RS search at the scope's level; path parameters "study"/"series" fill the scope.
Result<http::Response> search(DicomWebDeps deps, QueryLevel level, http::Request& request);

// WADO-RS: instances as multipart/related application/dicom, at the level the path names.
Result<http::Response> retrieve(DicomWebDeps deps, http::Request& request);
// WADO-RS /metadata at the level the path names.
// The DICOM JSON renderer behind it: an instance's metadata from as few of its bytes as parsing
// up to Pixel Data needs, BulkDataURIs relative to the server's origin. Its kind names it in the
// metadata cache: change the version there whenever its output changes.
service::MetadataRenderer json_renderer();
Result<http::Response> metadata(DicomWebDeps deps, http::Request& request);
// WADO-RS bulk data: /bulk/{tag} of an instance (the BulkDataURIs of /metadata).
Result<http::Response> bulkdata(DicomWebDeps deps, http::Request& request);
// WADO-RS rendered (instance or first listed frame) and thumbnail (instance, series, study):
// image/jpeg.
Result<http::Response> rendered(DicomWebDeps deps, http::Request& request);
// The opened instance (read whole, digest-checked, at most 1 GiB) rendered as an image/jpeg
// response (private, no-store); 406 for pixel data that cannot be decoded. Also WADO-URI's.
Result<http::Response> rendered_jpeg(service::OpenedInstance opened,
                                     const dicom::RenderOptions& options);
Result<http::Response> thumbnail(DicomWebDeps deps, http::Request& request);
// WADO-RS /frames/{frames}.
Result<http::Response> frames(DicomWebDeps deps, http::Request& request);

// STOW-RS.
Result<http::Response> store(DicomWebDeps deps, http::Request& request);

// The UIDs of an instance path (an empty series or instance matches any).
struct InstanceRef {
  std::string study;
  std::string series;
  std::string instance;
};
// What the principal may read of the instances the UIDs name, as a retrieve plan in series and
// instance order (RetrieveService::plan: image.read, its tenant and study scope); kNotFound when
// nothing, or an instance outside its path. Open its instances with
// RetrieveService::open_planned (or stream) so the index is read once per request.
Result<service::RetrievePlan> plan_in_path(DicomWebDeps deps, const service::RequestContext& ctx,
                                           const InstanceRef& filter);
// The same for the path parameters "study", "series" and "instance" of a request.
Result<service::RetrievePlan> plan_in_path(DicomWebDeps deps, const service::RequestContext& ctx,
                                           const http::Request& request);

enum class Fallback { kRefuse, kAsStored };

// An opened instance as a multipart part: the stored bytes as they are (wanted "*" or the
// stored syntax), or re-encoded in Explicit VR Little Endian in memory. An instance Arca cannot
// decode is refused (kUnsupportedTransferSyntax) or, with kAsStored (inside a series or study),
// sent as stored with its part header saying so rather than cutting the whole response short.
Result<PartSource> part_from(service::OpenedInstance opened, const std::string& wanted,
                             Fallback fallback);

// WADO-URI (PS3.18 §9): GET /wado?requestType=WADO&studyUID=&seriesUID=&objectUID=
// &contentType=application/dicom[&transferSyntax=].
Result<http::Response> wado_uri(DicomWebDeps deps, http::Request& request);

}  // namespace arca::dicomweb
