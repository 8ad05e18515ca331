#include "dimse/study_sender.h"

#include "dimse/instance_sender.h"
#include "service/retrieve_destination.h"

namespace arca::dimse {

Result<SendReport> send_study(SendDeps deps, const service::RequestContext& ctx,
                              const SendRequest& request) {
  store::Peer destination =
      ARCA_TRY(service::retrieve_destination(deps.peers, ctx, request.destination_ae));
  service::RetrieveScope scope;
  scope.studies.push_back(request.study);
  service::RetrievePlan plan = ARCA_TRY(deps.retrieve.plan(ctx, scope));
  const TlsClientFiles* tls = request.tls ? &*request.tls : nullptr;
  if (plan.instances().empty())
    return make_error(ErrorCode::kNotFound, "no such study");
  auto assoc = ARCA_TRY(
      request_association(destination, {request.own_ae, request.timeout, tls}, plan.instances()));
  SubStoreTarget target{assoc.get(), request.timeout, {}};
  SubOperationCounts counts;
  auto report =
      deps.retrieve.deliver(ctx, plan, [&](const service::RetrieveItem& item) -> Result<void> {
        auto sent = send_instance(target, item);
        tally(counts, item, sent);
        if (!sent.ok())
          return std::move(sent).error();
        if (!store_succeeded(*sent))
          return make_error(ErrorCode::kUnavailable,
                            "peer refused the C-STORE with status " + std::to_string(*sent));
        return ok();
      });
  tally_unopened(counts, report);
  return SendReport{counts.completed, counts.warning, counts.failed_uids};
}

}  // namespace arca::dimse
