// WADO-RS rendered and thumbnail resources (PS3.18 §10.4.1.1.3, §10.4.1.1.4): one frame as
// image/jpeg with the `viewport`, `quality` and `window` query parameters. The `accept` query
// parameter wins over the Accept header (OHIF sends a multipart Accept with accept=image/jpeg).
// A series or study thumbnail renders the middle instance.
#include <algorithm>
#include <charconv>

#include "dicom/render.h"
#include "dicomweb/handlers.h"
#include "dicomweb/request_context.h"

namespace arca::dicomweb {
namespace {

constexpr std::size_t kMaxRenderedObject = std::size_t{1} << 30;
constexpr std::uint32_t kThumbnailSize = 128;

// "a,b[,c]" -> numbers; kInvalidArgument on anything else.
template <typename T>
Result<std::vector<T>> numbers(std::string_view list, std::string_view name) {
  std::vector<T> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = std::min(list.find(',', start), list.size());
    T v{};
    auto [p, ec] = std::from_chars(list.data() + start, list.data() + end, v);
    if (ec != std::errc() || p != list.data() + end)
      return make_error(ErrorCode::kInvalidArgument, std::string(name) + " is malformed");
    out.push_back(v);
    start = end + 1;
  }
  return out;
}

Result<dicom::RenderOptions> render_options(const http::Request& request, bool thumbnail) {
  dicom::RenderOptions o;
  if (thumbnail)
    o.max_width = o.max_height = kThumbnailSize;
  const http::QueryParams& q = request.query();
  if (auto v = q.get("viewport")) {
    auto wh = ARCA_TRY(numbers<std::uint32_t>(*v, "viewport"));
    o.max_width = wh.at(0);
    o.max_height = wh.size() > 1 ? wh[1] : 0;
  }
  if (auto v = q.get("quality"))
    o.quality = ARCA_TRY(numbers<int>(*v, "quality")).at(0);
  if (auto v = q.get("window")) {  // center,width[,function]; the function is not applied yet
    std::string_view w = *v;
    std::size_t first = w.find(',');
    std::size_t second = first == std::string_view::npos ? first : w.find(',', first + 1);
    auto cw = ARCA_TRY(numbers<double>(w.substr(0, second), "window"));
    if (cw.size() != 2)
      return make_error(ErrorCode::kInvalidArgument, "window is center,width[,function]");
    o.window_center = cw[0];
    o.window_width = cw[1];
  }
  if (auto f = request.path_param("frames")) {
    o.frame = ARCA_TRY(numbers<std::uint32_t>(*f, "frame list")).at(0);
  }
  return o;
}

bool accepts_jpeg(const http::Request& request) {
  auto wanted = request.query().get("accept");
  if (!wanted)
    wanted = request.headers().get("Accept");
  if (!wanted)
    return true;
  return wanted->find("image/jpeg") != std::string_view::npos ||
         wanted->find("image/*") != std::string_view::npos ||
         wanted->find("*/*") != std::string_view::npos;
}

Result<http::Response> render(DicomWebDeps deps, http::Request& request, bool thumbnail) {
  service::RequestContext ctx = ARCA_TRY(request_context(request));
  if (!accepts_jpeg(request))
    return http::protocol_error(406, "not_acceptable", "rendered images are image/jpeg");
  dicom::RenderOptions options = ARCA_TRY(render_options(request, thumbnail));
  service::RetrievePlan plan = ARCA_TRY(plan_in_path(deps, ctx, request));
  return rendered_jpeg(ARCA_TRY(deps.retrieve.open_planned(ctx, plan, plan.instances().size() / 2)),
                       options);
}

}  // namespace

Result<http::Response> rendered_jpeg(service::OpenedInstance opened,
                                     const dicom::RenderOptions& options) {
  service::VerifiedSource source(std::move(opened.reader), opened.record);
  Bytes object = ARCA_TRY(read_all(source, kMaxRenderedObject));
  auto jpeg = dicom::render_jpeg(object, options);
  if (!jpeg.ok() && jpeg.error().code == ErrorCode::kUnsupportedTransferSyntax)
    return http::protocol_error(406, "not_acceptable", jpeg.error().message);
  http::Response r(200);
  r.set_body(ARCA_TRY(std::move(jpeg)));
  r.headers().set("Content-Type", "image/jpeg");
  r.headers().set("Cache-Control", "private, no-store");
  return r;
}

Result<http::Response> rendered(DicomWebDeps deps, http::Request& request) {
  return render(deps, request, false);
}

Result<http::Response> thumbnail(DicomWebDeps deps, http::Request& request) {
  return render(deps, request, true);
}

}  // namespace arca::dicomweb
