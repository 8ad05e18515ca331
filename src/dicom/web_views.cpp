#include "dicom/web_views.h"

#include <dcmtk/config/osconfig.h>  // must come first among DCMTK headers
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcjson.h>
#include <dcmtk/dcmdata/dcostrmb.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <cstdio>
#include <sstream>

#include "dicom/htj2k.h"
#include "dicom/stored_object.h"
#include "dicom/web_dataset.h"

namespace arca::dicom {
namespace {

using detail::is_bulk;
using detail::text_to_utf8;

// DCMTK's compact JSON writer, with bulk values as BulkDataURIs under `base`.
class BulkUriFormat final : public DcmJsonFormatCompact {
 public:
  explicit BulkUriFormat(std::string base)
      : DcmJsonFormatCompact(OFFalse), base_(std::move(base)) {}
  OFBool asBulkDataURI(const DcmTagKey& tag, OFString& uri) override {
    if (!is_bulk(tag))
      return OFFalse;
    char hex[9];
    std::snprintf(hex, sizeof hex, "%04X%04X", tag.getGroup(), tag.getElement());
    uri = (base_ + "/bulk/" + hex).c_str();
    return OFTrue;
  }

 private:
  std::string base_;
};

std::string media_type_of(const std::string& ts) {
  if (ts == "1.2.840.10008.1.2.5")
    return "image/dicom-rle";
  if (ts.rfind("1.2.840.10008.1.2.4.5", 0) == 0 || ts == "1.2.840.10008.1.2.4.57" ||
      ts == "1.2.840.10008.1.2.4.70")
    return "image/jpeg";
  if (ts == "1.2.840.10008.1.2.4.80" || ts == "1.2.840.10008.1.2.4.81")
    return "image/jls";
  if (ts == "1.2.840.10008.1.2.4.90" || ts == "1.2.840.10008.1.2.4.91")
    return "image/jp2";
  if (ts.rfind("1.2.840.10008.1.2.4.20", 0) == 0)
    return "image/jphc";
  return "application/octet-stream";
}

// `ts`: the stored transfer syntax (from the file meta information: DCMTK files HTJ2K pixel
// sequences under another syntax, see htj2k.h).
Result<Frames> encapsulated_frames(DcmPixelData& pixels, const std::string& ts, long count,
                                   const std::vector<std::uint32_t>& numbers) {
  DcmPixelSequence* seq = detail::original_pixel_sequence(pixels);
  if (seq == nullptr)
    return make_error(ErrorCode::kInvalidDicom, "encapsulated pixel data unreadable");
  const unsigned long fragments = seq->card() > 0 ? seq->card() - 1 : 0;  // item 0: offsets
  if (fragments != static_cast<unsigned long>(count) && count != 1)
    return make_error(ErrorCode::kUnsupported, "frames spanning several fragments");
  Frames out{ts, media_type_of(ts), {}};
  for (std::uint32_t n : numbers) {
    Bytes frame;
    unsigned long first = count == 1 ? 1 : n;
    unsigned long last = count == 1 ? fragments : n;
    for (unsigned long i = first; i <= last; ++i) {
      DcmPixelItem* item = nullptr;
      Uint8* data = nullptr;
      if (seq->getItem(item, i).bad() || item->getUint8Array(data).bad())
        return make_error(ErrorCode::kInvalidDicom, "pixel fragment unreadable");
      if (data != nullptr)
        frame.insert(frame.end(), data, data + item->getLength());
    }
    out.frames.push_back(std::move(frame));
  }
  return out;
}

Result<Frames> native_frames(DcmDataset& ds, DcmPixelData& pixels, long count,
                             const std::vector<std::uint32_t>& numbers) {
  Uint16 rows = 0, cols = 0, samples = 1, bits = 0;
  ds.findAndGetUint16(DCM_Rows, rows);
  ds.findAndGetUint16(DCM_Columns, cols);
  ds.findAndGetUint16(DCM_SamplesPerPixel, samples);
  ds.findAndGetUint16(DCM_BitsAllocated, bits);
  if (bits < 8 || bits % 8 != 0)
    return make_error(ErrorCode::kUnsupported, "frames with fewer than 8 bits allocated");
  const std::size_t frame_size = std::size_t{rows} * cols * samples * (bits / 8);
  const Uint8* data = nullptr;
  if (bits == 8) {
    Uint8* p = nullptr;
    if (pixels.getUint8Array(p).bad())
      return make_error(ErrorCode::kInvalidDicom, "pixel data unreadable");
    data = p;
  } else {
    Uint16* p = nullptr;  // DCMTK hands OW values over in host (little endian) order
    if (pixels.getUint16Array(p).bad())
      return make_error(ErrorCode::kInvalidDicom, "pixel data unreadable");
    data = reinterpret_cast<const Uint8*>(p);
  }
  if (data == nullptr || pixels.getLength() < frame_size * static_cast<std::size_t>(count))
    return make_error(ErrorCode::kInvalidDicom, "pixel data shorter than its frames");
  Frames out{std::string(kExplicitVrLittleEndian), "application/octet-stream", {}};
  for (std::uint32_t n : numbers) {
    const Uint8* begin = data + (n - 1) * frame_size;
    out.frames.emplace_back(begin, begin + frame_size);
  }
  return out;
}

// Decodes compressed pixel data in place (HTJ2K through OpenJPEG, the others through DCMTK's
// codecs); kUnsupportedTransferSyntax without a decoder.
Result<void> decode_to_explicit_little(DcmFileFormat& file) {
  if (detail::is_htj2k(detail::stored_transfer_syntax(file)))
    return detail::decode_htj2k(file);
  DcmDataset& ds = *file.getDataset();
  if (ds.chooseRepresentation(EXS_LittleEndianExplicit, nullptr).bad() ||
      !ds.canWriteXfer(EXS_LittleEndianExplicit)) {
    return make_error(ErrorCode::kUnsupportedTransferSyntax,
                      "no decoder for the stored transfer syntax");
  }
  return ok();
}

}  // namespace

Result<Bytes> to_explicit_little_endian(ByteView part10) {
  return detail::guarded([&]() -> Result<Bytes> {
    auto file = ARCA_TRY(detail::load_stored_object(part10));
    ARCA_TRY(decode_to_explicit_little(*file));
    return detail::write_explicit_little_endian(*file);
  });
}

Result<Bytes> bulk_value(ByteView part10, std::uint32_t tag) {
  return detail::guarded([&]() -> Result<Bytes> {
    auto file = ARCA_TRY(detail::load_stored_object(part10));
    DcmDataset& ds = *file->getDataset();
    DcmElement* element = nullptr;
    const DcmTagKey key(static_cast<Uint16>(tag >> 16), static_cast<Uint16>(tag & 0xFFFF));
    if (ds.findAndGetElement(key, element, OFFalse).bad() || element == nullptr)
      return make_error(ErrorCode::kNotFound, "the instance has no such element");
    if (key == DCM_PixelData && (DcmXfer(ds.getOriginalXfer()).isEncapsulated() ||
                                 detail::is_htj2k(detail::stored_transfer_syntax(*file))))
      return make_error(ErrorCode::kUnsupported, "encapsulated pixel data: use /frames");
    Bytes out(element->getLength());
    if (!out.empty() && element
                            ->getPartialValue(out.data(), 0, static_cast<Uint32>(out.size()),
                                              nullptr, EBO_LittleEndian)
                            .bad()) {
      return make_error(ErrorCode::kUnsupported, "this element has no bulk value");
    }
    return out;
  });
}

Result<std::string> write_metadata(DcmFileFormat& file, std::string_view bulk_base,
                                   bool pixel_data_follows) {
  return detail::guarded([&]() -> Result<std::string> {
    DcmDataset& ds = *file.getDataset();
    text_to_utf8(ds, "");
    (void)ds.findAndDeleteElement(DCM_DataSetTrailingPadding);
    BulkUriFormat format{std::string(bulk_base)};
    std::ostringstream out;
    out << '{';  // DcmDataset::writeJson writes the members only
    if (ds.writeJson(out, format).bad())
      return make_error(ErrorCode::kInvalidDicom, "data set cannot be written as DICOM JSON");
    if (pixel_data_follows) {  // parsing stopped at Pixel Data: describe it without reading it
      Uint16 bits = 16;
      ds.findAndGetUint16(DCM_BitsAllocated, bits);
      const bool ob = DcmXfer(ds.getOriginalXfer()).isEncapsulated() || bits <= 8 ||
                      detail::is_htj2k(detail::stored_transfer_syntax(file));
      out << (ds.card() > 0 ? "," : "") << "\"7FE00010\":{\"vr\":\"" << (ob ? "OB" : "OW")
          << "\",\"BulkDataURI\":\"" << bulk_base << "/bulk/7FE00010\"}";
    }
    out << '}';
    return out.str();
  });
}

Result<std::string> metadata_json(ByteView part10, std::string_view bulk_base) {
  return detail::guarded([&]() -> Result<std::string> {
    auto file = ARCA_TRY(detail::load_stored_object(part10));
    return write_metadata(*file, bulk_base, false);
  });
}

Result<std::optional<std::string>> metadata_json_from_prefix(ByteView prefix, bool complete,
                                                             std::string_view bulk_base) {
  return detail::guarded([&]() -> Result<std::optional<std::string>> {
    auto read = ARCA_TRY(detail::read_until_pixel_data(prefix, complete));
    if (!read)
      return std::optional<std::string>();  // ends before Pixel Data: read more
    const bool stopped_at_pixels = !complete || read->input_left;
    return std::optional<std::string>(
        ARCA_TRY(write_metadata(*read->file, bulk_base, stopped_at_pixels)));
  });
}

Result<std::optional<NativeLayout>> native_layout(ByteView prefix, bool complete) {
  return detail::guarded([&]() -> Result<std::optional<NativeLayout>> {
    auto read = ARCA_TRY(detail::read_until_pixel_data(prefix, complete));
    if (!read)
      return std::optional<NativeLayout>();
    DcmDataset& ds = *read->file->getDataset();
    const DcmXfer xfer(ds.getOriginalXfer());
    Uint16 rows = 0, cols = 0, samples = 1, bits = 0;
    ds.findAndGetUint16(DCM_Rows, rows);
    ds.findAndGetUint16(DCM_Columns, cols);
    ds.findAndGetUint16(DCM_SamplesPerPixel, samples);
    ds.findAndGetUint16(DCM_BitsAllocated, bits);
    Sint32 count = 1;
    if (ds.findAndGetSint32(DCM_NumberOfFrames, count).bad() || count < 1)
      count = 1;
    const Error unsupported{ErrorCode::kUnsupported, "not native little-endian pixel data"};
    if (xfer.isEncapsulated() || xfer.isBigEndian() || xfer.getStreamCompression() != ESC_none ||
        bits < 8 || bits % 8 != 0 || rows == 0 || cols == 0)
      return unsupported;
    // DCMTK stops at or just after the Pixel Data element header: find it.
    const std::size_t header_size = xfer.isExplicitVR() ? 12 : 8;
    const std::size_t stop = read->stop;
    std::optional<std::size_t> header;
    for (std::size_t back : {std::size_t{0}, std::size_t{8}, std::size_t{12}}) {
      const std::size_t h = stop - std::min(stop, back);
      if (h + header_size <= prefix.size() && prefix[h] == 0xE0 && prefix[h + 1] == 0x7F &&
          prefix[h + 2] == 0x10 && prefix[h + 3] == 0x00) {
        header = h;
        break;
      }
    }
    if (!header)
      return complete ? Result<std::optional<NativeLayout>>(unsupported)
                      : std::optional<NativeLayout>();
    const std::uint8_t* l = prefix.data() + *header + header_size - 4;
    const std::uint64_t length = std::uint64_t{l[0]} | std::uint64_t{l[1]} << 8 |
                                 std::uint64_t{l[2]} << 16 | std::uint64_t{l[3]} << 24;
    const std::uint64_t frame_size = std::uint64_t{rows} * cols * samples * (bits / 8);
    if (length == 0xFFFFFFFFULL || length < frame_size * static_cast<std::uint64_t>(count))
      return unsupported;
    return std::optional<NativeLayout>(
        NativeLayout{*header + header_size, frame_size, static_cast<std::uint32_t>(count), length});
  });
}

Result<Frames> frames(ByteView part10, const std::vector<std::uint32_t>& numbers,
                      FrameSyntax syntax) {
  return detail::guarded([&]() -> Result<Frames> {
    auto file = ARCA_TRY(detail::load_stored_object(part10));
    DcmDataset& ds = *file->getDataset();
    const std::string stored = detail::stored_transfer_syntax(*file);
    const bool encapsulated =
        DcmXfer(ds.getOriginalXfer()).isEncapsulated() || detail::is_htj2k(stored);
    if (encapsulated && syntax == FrameSyntax::kUncompressed)
      ARCA_TRY(decode_to_explicit_little(*file));
    DcmElement* element = nullptr;
    if (ds.findAndGetElement(DCM_PixelData, element).bad() || element == nullptr)
      return make_error(ErrorCode::kNotFound, "the instance has no pixel data");
    auto* pixels = static_cast<DcmPixelData*>(element);
    Sint32 count = 1;
    if (ds.findAndGetSint32(DCM_NumberOfFrames, count).bad() || count < 1)
      count = 1;
    for (std::uint32_t n : numbers) {
      if (n < 1 || n > static_cast<std::uint32_t>(count))
        return make_error(ErrorCode::kNotFound, "no such frame");
    }
    if (encapsulated && syntax == FrameSyntax::kAsStored)
      return encapsulated_frames(*pixels, stored, count, numbers);
    return native_frames(ds, *pixels, count, numbers);
  });
}

}  // namespace arca::dicom
