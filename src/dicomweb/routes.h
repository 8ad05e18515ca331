// The DICOMweb route table (PS3.18): QIDO-RS, WADO-RS and STOW-RS under /dicom-web, each route
// declared with its permission (study.query, image.read, study.write) and audit action. Handlers
// turn the request's principal into a service::RequestContext and call service/; they parse and
// serialize and decide nothing else (DESIGN §1).
// Thread-safety: handlers are thread-safe if the services and Random are.
#pragma once

#include "core/random.h"
#include "core/result.h"
#include "http/router.h"
#include "service/ingest_service.h"
#include "service/query_service.h"
#include "service/retrieve_service.h"

namespace arca::dicomweb {

struct DicomWebDeps {
  service::QueryService& query;
  service::RetrieveService& retrieve;
  service::IngestService& ingest;
  Random& random;  // multipart boundaries
};

Result<void> register_dicomweb_routes(http::Router& router, DicomWebDeps deps);

}  // namespace arca::dicomweb
