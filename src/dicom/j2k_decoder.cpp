#include "dicom/j2k_decoder.h"

#include <dcmtk/config/osconfig.h>  // must come first among DCMTK headers
#include <dcmtk/dcmdata/dccodec.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcvrobow.h>
#include <dcmtk/dcmdata/dcvrpobw.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <openjpeg.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "dicom/j2k_pixels.h"

namespace arca::dicom {
namespace {

struct ImageShape {
  Uint16 rows = 0;
  Uint16 columns = 0;
  Uint16 samples = 1;
  Uint16 bits_allocated = 8;
  Uint32 frames = 1;
  std::size_t frame_bytes() const {
    return std::size_t{rows} * columns * samples * (bits_allocated / 8);
  }
};

OFCondition read_shape(DcmItem& item, ImageShape& shape) {
  if (item.findAndGetUint16(DCM_Rows, shape.rows).bad() ||
      item.findAndGetUint16(DCM_Columns, shape.columns).bad() ||
      item.findAndGetUint16(DCM_BitsAllocated, shape.bits_allocated).bad())
    return EC_MissingAttribute;
  item.findAndGetUint16(DCM_SamplesPerPixel, shape.samples);
  Sint32 frames = 1;
  if (item.findAndGetSint32(DCM_NumberOfFrames, frames).good() && frames > 0)
    shape.frames = static_cast<Uint32>(frames);
  if ((shape.bits_allocated != 8 && shape.bits_allocated != 16) || shape.samples == 0)
    return EC_CannotChangeRepresentation;
  return EC_Normal;
}

// The bytes of frame `frame` (0-based): all fragments for a single frame, else one per frame.
OFCondition frame_bytes(DcmPixelSequence& seq, const ImageShape& shape, Uint32 frame,
                        std::vector<Uint8>& out) {
  unsigned long fragments = seq.card() > 0 ? seq.card() - 1 : 0;  // item 0: offset table
  if (fragments == 0 || (shape.frames > 1 && fragments != shape.frames))
    return EC_CannotChangeRepresentation;
  unsigned long first = shape.frames == 1 ? 1 : frame + 1;
  unsigned long last = shape.frames == 1 ? fragments : frame + 1;
  out.clear();
  for (unsigned long i = first; i <= last; ++i) {
    DcmPixelItem* item = nullptr;
    Uint8* data = nullptr;
    if (seq.getItem(item, i).bad() || item->getUint8Array(data).bad())
      return EC_CorruptedData;
    if (data != nullptr)
      out.insert(out.end(), data, data + item->getLength());
  }
  return EC_Normal;
}

struct MemoryStream {
  const std::vector<Uint8>* data;
  std::size_t pos = 0;
};

OPJ_SIZE_T stream_read(void* buffer, OPJ_SIZE_T n, void* user) {
  auto* s = static_cast<MemoryStream*>(user);
  std::size_t left = s->data->size() - s->pos;
  if (left == 0)
    return static_cast<OPJ_SIZE_T>(-1);
  std::size_t take = std::min<std::size_t>(n, left);
  std::memcpy(buffer, s->data->data() + s->pos, take);
  s->pos += take;
  return take;
}

OPJ_OFF_T stream_skip(OPJ_OFF_T n, void* user) {
  auto* s = static_cast<MemoryStream*>(user);
  auto target = std::min<std::size_t>(s->data->size(), s->pos + static_cast<std::size_t>(n));
  OPJ_OFF_T moved = static_cast<OPJ_OFF_T>(target - s->pos);
  s->pos = target;
  return moved;
}

OPJ_BOOL stream_seek(OPJ_OFF_T n, void* user) {
  auto* s = static_cast<MemoryStream*>(user);
  if (n < 0 || static_cast<std::size_t>(n) > s->data->size())
    return OPJ_FALSE;
  s->pos = static_cast<std::size_t>(n);
  return OPJ_TRUE;
}

// opj_codec_t and opj_stream_t are the same type (void*): one deleter type each.
struct CodecDeleter {
  void operator()(opj_codec_t* c) const { opj_destroy_codec(c); }
};
struct StreamDeleter {
  void operator()(opj_stream_t* s) const { opj_stream_destroy(s); }
};
struct ImageDeleter {
  void operator()(opj_image_t* i) const { opj_image_destroy(i); }
};

// Decodes one codestream (raw J2K or JP2) into `out` (frame_bytes() of native pixels).
OFCondition decode_codestream(const std::vector<Uint8>& in, const ImageShape& shape, Uint8* out) {
  bool raw = in.size() >= 4 && in[0] == 0xff && in[1] == 0x4f && in[2] == 0xff && in[3] == 0x51;
  std::unique_ptr<opj_codec_t, CodecDeleter> codec(
      opj_create_decompress(raw ? OPJ_CODEC_J2K : OPJ_CODEC_JP2));
  opj_dparameters_t params;
  opj_set_default_decoder_parameters(&params);
  if (!codec || !opj_setup_decoder(codec.get(), &params))
    return EC_CorruptedData;
  MemoryStream memory{&in, 0};
  std::unique_ptr<opj_stream_t, StreamDeleter> stream(opj_stream_create(64 * 1024, OPJ_TRUE));
  opj_stream_set_user_data(stream.get(), &memory, nullptr);
  opj_stream_set_user_data_length(stream.get(), in.size());
  opj_stream_set_read_function(stream.get(), stream_read);
  opj_stream_set_skip_function(stream.get(), stream_skip);
  opj_stream_set_seek_function(stream.get(), stream_seek);
  opj_image_t* raw_image = nullptr;
  if (!opj_read_header(stream.get(), codec.get(), &raw_image))
    return EC_CorruptedData;
  std::unique_ptr<opj_image_t, ImageDeleter> image(raw_image);
  // Refuse a codestream whose header disagrees with the data set before decoding it, so a small
  // codestream cannot make OpenJPEG allocate for an image far larger than the object describes.
  if (image->numcomps != shape.samples || image->x1 - image->x0 != shape.columns ||
      image->y1 - image->y0 != shape.rows)
    return EC_CannotChangeRepresentation;
  if (!opj_decode(codec.get(), stream.get(), image.get()) ||
      !opj_end_decompress(codec.get(), stream.get()))
    return EC_CorruptedData;
  std::size_t pixels = std::size_t{shape.rows} * shape.columns;
  if (image->numcomps != shape.samples)
    return EC_CannotChangeRepresentation;
  for (Uint16 c = 0; c < shape.samples; ++c) {
    const opj_image_comp_t& comp = image->comps[c];
    if (std::size_t{comp.w} * comp.h != pixels || comp.data == nullptr)
      return EC_CannotChangeRepresentation;
    for (std::size_t i = 0; i < pixels; ++i) {
      std::size_t at = i * shape.samples + c;
      auto v = static_cast<Uint32>(comp.data[i]);
      if (shape.bits_allocated == 8) {
        out[at] = static_cast<Uint8>(v);
      } else {
        auto word = static_cast<Uint16>(v);
        std::memcpy(out + 2 * at, &word, 2);  // host order, as DCMTK keeps OW values
      }
    }
  }
  return EC_Normal;
}

DcmItem* pixel_item(const DcmStack& stack) {
  DcmStack local(stack);
  local.pop();  // the pixel data element
  DcmObject* parent = local.pop();
  if (parent == nullptr || (parent->ident() != EVR_dataset && parent->ident() != EVR_item))
    return nullptr;
  return static_cast<DcmItem*>(parent);
}

OFString decoded_color_model(DcmItem& item) {
  OFString photometric;
  item.findAndGetOFString(DCM_PhotometricInterpretation, photometric);
  if (photometric == "YBR_ICT" || photometric == "YBR_RCT")
    return "RGB";
  return photometric;
}

}  // namespace

namespace detail {

OFCondition decode_j2k_pixels(DcmItem& item, DcmPixelSequence& seq, DcmPolymorphOBOW& pixels) {
  ImageShape shape;
  OFCondition c = read_shape(item, shape);
  if (c.bad())
    return c;
  std::size_t total = shape.frame_bytes() * shape.frames;
  Uint8* out = nullptr;
  Uint16* words = nullptr;
  if (shape.bits_allocated == 8)
    c = pixels.createUint8Array(static_cast<Uint32>(total + (total & 1)), out);
  else
    c = pixels.createUint16Array(static_cast<Uint32>(total / 2), words);
  if (c.bad())
    return c;
  if (words != nullptr)
    out = reinterpret_cast<Uint8*>(words);
  std::vector<Uint8> stream;
  for (Uint32 f = 0; f < shape.frames && c.good(); ++f) {
    c = frame_bytes(seq, shape, f, stream);
    if (c.good())
      c = decode_codestream(stream, shape, out + f * shape.frame_bytes());
  }
  if (c.bad())
    return c;
  OFString model = decoded_color_model(item);
  item.putAndInsertString(DCM_PhotometricInterpretation, model.c_str());
  if (shape.samples > 1)
    item.putAndInsertUint16(DCM_PlanarConfiguration, 0);
  return EC_Normal;
}

}  // namespace detail

namespace {

class J2kDecoder final : public DcmCodec {
 public:
  OFCondition decode(const DcmRepresentationParameter*, DcmPixelSequence* seq,
                     DcmPolymorphOBOW& pixels, const DcmCodecParameter*, const DcmStack& stack,
                     OFBool& remove_old) const override {
    DcmItem* item = pixel_item(stack);
    if (item == nullptr || seq == nullptr)
      return EC_IllegalCall;
    OFCondition c = detail::decode_j2k_pixels(*item, *seq, pixels);
    if (c.good())
      remove_old = OFFalse;
    return c;
  }

  OFCondition decodeFrame(const DcmRepresentationParameter*, DcmPixelSequence* seq,
                          const DcmCodecParameter*, DcmItem* item, Uint32 frame,
                          Uint32& start_fragment, void* buffer, Uint32 size,
                          OFString& model) const override {
    ImageShape shape;
    if (item == nullptr || seq == nullptr)
      return EC_IllegalCall;
    OFCondition c = read_shape(*item, shape);
    if (c.good() && (frame >= shape.frames || size < shape.frame_bytes()))
      c = EC_IllegalCall;
    std::vector<Uint8> stream;
    if (c.good())
      c = frame_bytes(*seq, shape, frame, stream);
    if (c.good())
      c = decode_codestream(stream, shape, static_cast<Uint8*>(buffer));
    if (c.good()) {
      model = decoded_color_model(*item);
      start_fragment = shape.frames == 1 ? 0 : frame + 2;
    }
    return c;
  }

  OFCondition encode(const Uint16*, const Uint32, const DcmRepresentationParameter*,
                     DcmPixelSequence*&, const DcmCodecParameter*, DcmStack&,
                     OFBool&) const override {
    return EC_IllegalCall;
  }

  OFCondition encode(const E_TransferSyntax, const DcmRepresentationParameter*, DcmPixelSequence*,
                     const DcmRepresentationParameter*, DcmPixelSequence*&,
                     const DcmCodecParameter*, DcmStack&, OFBool&) const override {
    return EC_IllegalCall;
  }

  OFBool canChangeCoding(const E_TransferSyntax from, const E_TransferSyntax to) const override {
    bool j2k = from == EXS_JPEG2000LosslessOnly || from == EXS_JPEG2000;
    return j2k && DcmXfer(to).isNotEncapsulated() ? OFTrue : OFFalse;
  }

  OFCondition determineDecompressedColorModel(const DcmRepresentationParameter*, DcmPixelSequence*,
                                              const DcmCodecParameter*, DcmItem* item,
                                              OFString& model) const override {
    if (item == nullptr)
      return EC_IllegalCall;
    model = decoded_color_model(*item);
    return EC_Normal;
  }
};

class J2kParameter final : public DcmCodecParameter {
 public:
  DcmCodecParameter* clone() const override { return new J2kParameter(); }
  const char* className() const override { return "ArcaJ2kParameter"; }
};

}  // namespace

void register_j2k_decoder() {
  // DCMTK's codec list keeps raw pointers for the life of the process: the codec and its
  // parameter live in function-local statics, registered once.
  static std::once_flag once;
  static const J2kDecoder decoder;
  static const J2kParameter parameter;
  std::call_once(once, [] { DcmCodecList::registerCodec(&decoder, nullptr, &parameter); });
}

}  // namespace arca::dicom
