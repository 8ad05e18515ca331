#include "app/maintenance_commands.h"

#include <unistd.h>

#include <ostream>

#include "core/file.h"
#include "dimse/study_fetcher.h"
#include "dimse/study_sender.h"
#include "service/archive_maintenance.h"

namespace arca::app {

namespace fs = std::filesystem;

namespace {

// Streams one instance into DIR/<uid>.dcm through a temp file that is renamed only once the
// whole object has been read and verified.
Result<void> write_instance(const fs::path& dir, const store::StoredInstance& row,
                            ByteSource& source) {
  fs::path final_path = dir / (row.attributes.instance.sop_instance_uid.str() + ".dcm");
  fs::path temp = final_path;
  temp += ".partial";
  std::error_code ec;
  fs::remove(temp, ec);
  auto written = [&]() -> Result<void> {
    File file = ARCA_TRY(File::open(temp, File::Mode::kCreateExclusive));
    Bytes buffer(256 * 1024);
    for (;;) {
      std::size_t n = ARCA_TRY(source.read(buffer));
      if (n == 0)
        break;
      ARCA_TRY(file.write_all(ByteView(buffer).first(n)));
    }
    ARCA_TRY(file.sync());
    return file.close();
  }();
  if (!written.ok()) {
    fs::remove(temp, ec);
    return written;
  }
  fs::rename(temp, final_path, ec);
  if (ec)
    return make_error(ErrorCode::kIo, "rename export file: " + ec.message());
  return ok();
}

}  // namespace

int run_export(Archive& archive, const StudyUid& study, const fs::path& out_dir, std::ostream& out,
               std::ostream& err) {
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) {
    err << "error: cannot create " << out_dir << ": " << ec.message() << '\n';
    return 1;
  }
  auto report = archive.retrieve().export_study(
      service::console_context(), study, [&](const store::StoredInstance& row, ByteSource& source) {
        return write_instance(out_dir, row, source);
      });
  if (!report.ok()) {
    err << "error: " << report.error().message << '\n';
    return 1;
  }
  for (const auto& f : report->failures) {
    err << "error: instance " << f.instance << ": " << f.error.to_string() << '\n';
  }
  if (::isatty(STDOUT_FILENO) == 1) {
    out << "exported " << report->exported << " instances to " << out_dir.string() << '\n';
  }
  return report->failures.empty() ? 0 : 1;
}

namespace {

// The certificate Arca presents to TLS peers: the DICOM TLS listener's ([dicom], else [http],
// else the self-signed pair `arca serve` generates).
dimse::TlsClientFiles dicom_tls_files(const Config& config) {
  fs::path dir = config.key_file.parent_path();
  const DicomConfig& d = config.dicom;
  if (!d.certificate.empty())
    return {d.certificate, d.private_key};
  if (!config.http.certificate.empty())
    return {config.http.certificate, config.http.private_key};
  return {dir / "https-certificate.pem", dir / "https-key.pem"};
}

}  // namespace

int run_send(Archive& archive, const StudyUid& study, const std::string& to, std::ostream& out,
             std::ostream& err) {
  dimse::SendRequest request{study, to, archive.config().dicom.aet, std::chrono::seconds(60),
                             dicom_tls_files(archive.config())};
  auto report =
      dimse::send_study({archive.retrieve(), archive.peers()}, service::console_context(), request);
  if (!report.ok()) {
    err << "error: " << report.error().message << '\n';
    return 1;
  }
  for (const auto& uid : report->failed)
    err << "error: instance " << uid << " was not stored by " << to << '\n';
  if (::isatty(STDOUT_FILENO) == 1)
    out << "sent " << report->completed + report->warning << " instances to " << to << '\n';
  return report->failed.empty() ? 0 : 1;
}

int run_retrieve(Archive& archive, Logger& logger, const RemoteStudy& remote, std::ostream& err) {
  dimse::FetchRequest request;
  request.study = remote.study;
  request.source_ae = remote.peer_ae;
  request.own_ae = archive.config().dicom.aet;
  request.tls = dicom_tls_files(archive.config());
  dimse::FetchDeps deps{archive.ingest(), archive.query(), archive.retrieve(), archive.peers(),
                        logger};
  auto report = dimse::fetch_study(deps, service::console_context(), request);
  if (!report.ok()) {
    err << "error: " << report.error().message << '\n';
    return 1;
  }
  if (report->failed > 0 || report->status != 0) {
    err << "error: " << remote.peer_ae << " reported status " << report->status << ", "
        << report->failed << " failed, " << report->completed << " completed\n";
    return 1;
  }
  return 0;
}

int run_check(Archive& archive, bool json, std::ostream& out, std::ostream& err) {
  bool terminal = ::isatty(STDERR_FILENO) == 1;
  auto report = service::check_archive(service::console_context(), archive.index(), archive.blobs(),
                                       [&](std::size_t n) {
                                         if (terminal && n % 100 == 0) {
                                           err << "\r\033[Kchecked " << n << std::flush;
                                         }
                                       });
  if (terminal)
    err << "\r\033[K";
  if (!report.ok()) {
    err << "error: " << report.error().message << '\n';
    return 1;
  }
  for (const auto& f : report->failures) {
    err << "damaged: instance " << f.instance << " (tenant " << f.tenant
        << "): " << f.error.to_string() << '\n';
  }
  if (json) {
    out << "{\"checked\":" << report->checked << ",\"damaged\":" << report->failures.size()
        << "}\n";
  } else {
    err << report->checked << " instances checked, " << report->failures.size() << " damaged\n";
  }
  return report->failures.empty() ? 0 : 1;
}

}  // namespace arca::app
