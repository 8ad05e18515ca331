// RetrieveService::metadata: WADO-RS /metadata through the per-series metadata cache.
#include <algorithm>
#include <map>

#include "service/audit_trail.h"
#include "service/retrieve_service.h"

namespace arca::service {
namespace {

using Rows = std::vector<const store::StoredInstance*>;

// The planned rows grouped by series, in order of first appearance.
std::vector<Rows> by_series(const std::vector<store::StoredInstance>& rows) {
  std::vector<Rows> out;
  for (const store::StoredInstance& row : rows) {
    auto same = [&](const Rows& g) {
      return g.front()->tenant == row.tenant &&
             g.front()->attributes.series.series_uid == row.attributes.series.series_uid;
    };
    auto it = std::find_if(out.begin(), out.end(), same);
    if (it == out.end())
      out.push_back({&row});
    else
      it->push_back(&row);
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> RetrieveService::metadata(const RequestContext& ctx,
                                                           const RetrievePlan& plan,
                                                           const MetadataRenderer& renderer) {
  const std::function<Result<std::string>(const store::StoredInstance&)> render =
      [&](const store::StoredInstance& row) -> Result<std::string> {
    OpenedInstance opened{row, ARCA_TRY(deps_.blobs.open(row.blob))};
    return renderer.render(opened);
  };
  const auto& rows = plan.instances();
  std::map<std::string, std::string> rendered;  // SOP Instance UID -> metadata
  auto rendered_all = [&]() -> Result<void> {
    for (const Rows& group : by_series(rows)) {
      if (deps_.metadata_cache == nullptr) {
        for (const store::StoredInstance* row : group)
          rendered[row->attributes.instance.sop_instance_uid.str()] = ARCA_TRY(render(*row));
        continue;
      }
      // Study and series plans hold whole series; an instance plan reads the entry of its
      // series (listed afresh for validation) without rendering the rest of the series.
      std::vector<store::StoredInstance> whole;
      Rows series_rows = group;
      CacheWrite write = CacheWrite::kYes;
      if (plan.level() == RetrieveLevel::kInstance) {
        const store::StoredInstance& first = *group.front();
        for (auto& row : ARCA_TRY(
                 deps_.index.study_instances(first.tenant, first.attributes.study.study_uid))) {
          if (row.attributes.series.series_uid == first.attributes.series.series_uid)
            whole.push_back(std::move(row));
        }
        series_rows.clear();
        for (const store::StoredInstance& row : whole)
          series_rows.push_back(&row);
        write = CacheWrite::kNo;
      }
      auto texts =
          ARCA_TRY(deps_.metadata_cache->series({series_rows, renderer.kind, render, write}));
      for (std::size_t i = 0; i < series_rows.size(); ++i)
        rendered[series_rows[i]->attributes.instance.sop_instance_uid.str()] = std::move(texts[i]);
    }
    return ok();
  }();
  audit::AuditEvent event = audit_event(ctx, AuditAction::kRetrieve, deps_.clock);
  for (const store::StoredInstance& row : rows)
    add_instance(event, row);
  set_outcome(event, rendered_all.ok() ? nullptr : &rendered_all.error());
  ARCA_TRY(record_or_refuse(deps_.audit, event, deps_.logger));  // fail closed: nothing sent yet
  ARCA_TRY(std::move(rendered_all));
  std::vector<std::string> out;
  out.reserve(rows.size());
  std::map<std::string_view, std::size_t> placed;  // an instance listed twice is copied
  for (const store::StoredInstance& row : rows) {
    const std::string& uid = row.attributes.instance.sop_instance_uid.str();
    if (auto p = placed.find(uid); p != placed.end()) {
      out.push_back(out[p->second]);
      continue;
    }
    placed.emplace(uid, out.size());
    out.push_back(std::move(rendered.at(uid)));
  }
  return out;
}

}  // namespace arca::service
