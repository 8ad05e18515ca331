// AuditSearch::export_records: the filtered audit trail as a stream of lines (JSON lines or DICOM
// audit messages, the formats of `arca audit export`), produced page by page as the client reads,
// so an export of the whole trail holds one page in memory, never the whole result.
#include <algorithm>
#include <cstring>

#include "audit/dicom_audit_xml.h"
#include "audit/jsonl_export.h"
#include "service/audit_search.h"
#include "service/audit_trail.h"
#include "service/authorize.h"

namespace arca::service {

constexpr std::size_t kExportPage = 1000;

// Pulls pages of matches from its AuditSearch (borrowed) and hands out their lines.
class AuditExportSource final : public ByteSource {
 public:
  AuditExportSource(AuditSearch& search, RequestContext ctx, AuditFilter filter,
                    AuditExportFormat format)
      : search_(search), ctx_(std::move(ctx)), filter_(std::move(filter)), format_(format) {
    filter_.limit = kExportPage;
    filter_.after = 0;
    filter_.newest_first = false;  // an export is in the order of the chain
  }

  Result<std::size_t> read(MutableByteView out) override {
    while (pos_ == buffer_.size() && !done_)
      ARCA_TRY(fill());
    std::size_t n = std::min(out.size(), buffer_.size() - pos_);
    std::memcpy(out.data(), buffer_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  Result<void> fill() {
    AuditPage page = ARCA_TRY(search_.find_page(ctx_, filter_));
    buffer_.clear();
    pos_ = 0;
    audit::AuditSource source{search_.deps_.source_id};
    for (const store::AuditRecord& r : page.records) {
      buffer_ += format_ == AuditExportFormat::kJsonl ? audit::record_json_line(r)
                                                      : audit::dicom_audit_message(r, source);
      buffer_ += '\n';
    }
    if (page.next_after)
      filter_.after = *page.next_after;
    else
      done_ = true;
    return ok();
  }

  AuditSearch& search_;
  RequestContext ctx_;
  AuditFilter filter_;
  AuditExportFormat format_;
  std::string buffer_;
  std::size_t pos_ = 0;
  bool done_ = false;
};

Result<std::unique_ptr<ByteSource>> AuditSearch::export_records(const RequestContext& ctx,
                                                                const AuditFilter& filter,
                                                                AuditExportFormat format) {
  auto allowed = authorize(ctx, Permission::kAuditRead);
  // Recorded before the first byte leaves: an export that cannot be audited does not happen.
  audit::AuditEvent event = audit_event(ctx, AuditAction::kAuditRead, deps_.clock);
  event.detail = std::string(filter.patient_id ? "patient access report export " : "export ") +
                 (format == AuditExportFormat::kJsonl ? "jsonl" : "dicom") + " from " +
                 std::to_string(filter.from_ms) + " to " + std::to_string(filter.to_ms) + " ms";
  if (!filter.study.empty())
    event.studies.emplace_back(filter.study);
  set_outcome(event, allowed.ok() ? nullptr : &allowed.error());
  ARCA_TRY(record_or_refuse(deps_.audit, event, deps_.logger));
  ARCA_TRY(allowed);
  return std::unique_ptr<ByteSource>(
      std::make_unique<AuditExportSource>(*this, ctx, filter, format));
}

}  // namespace arca::service
