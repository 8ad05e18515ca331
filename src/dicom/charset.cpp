#include "dicom/charset.h"

#include <algorithm>
#include <cctype>

namespace arca::dicom::detail {

enum class Form : unsigned char {
  kAscii,       // G0: ASCII, and JIS X 0201 Romaji (read as ASCII, as pydicom does)
  kJisX0208,    // G0: two 7-bit bytes, converted through EUC-JP
  kJisX0212,    // G0: two 7-bit bytes, converted through EUC-JP (0x8F prefix)
  kKatakana,    // G1: JIS X 0201 Katakana, converted through EUC-JP (0x8E prefix)
  kSingleByte,  // G1: one byte of an ISO 8859 part or TIS 620
  kDoubleByte,  // G1: two bytes of KS X 1001 (EUC-KR) or GB 2312 (EUC-CN)
};

// One row of PS3.3 Tables C.12-3 and C.12-4: the code element a defined term designates.
struct CodeElement {
  std::string_view number;  // n of "ISO 2022 IR n" / "ISO_IR n"
  std::string_view escape;  // the escape sequence after ESC
  bool g1;
  Form form;
  const char* iconv_name;  // nullptr for kAscii
};

namespace {

constexpr const char* kEucJp = "EUC-JP";

constexpr CodeElement kCodeElements[] = {
    {"6", "(B", false, Form::kAscii, nullptr},
    {"13", "(J", false, Form::kAscii, nullptr},
    {"13", ")I", true, Form::kKatakana, kEucJp},
    {"100", "-A", true, Form::kSingleByte, "ISO-8859-1"},
    {"101", "-B", true, Form::kSingleByte, "ISO-8859-2"},
    {"109", "-C", true, Form::kSingleByte, "ISO-8859-3"},
    {"110", "-D", true, Form::kSingleByte, "ISO-8859-4"},
    {"144", "-L", true, Form::kSingleByte, "ISO-8859-5"},
    {"127", "-G", true, Form::kSingleByte, "ISO-8859-6"},
    {"126", "-F", true, Form::kSingleByte, "ISO-8859-7"},
    {"138", "-H", true, Form::kSingleByte, "ISO-8859-8"},
    {"148", "-M", true, Form::kSingleByte, "ISO-8859-9"},
    {"166", "-T", true, Form::kSingleByte, "TIS-620"},
    {"87", "$B", false, Form::kJisX0208, kEucJp},
    {"159", "$(D", false, Form::kJisX0212, kEucJp},
    {"149", "$)C", true, Form::kDoubleByte, "EUC-KR"},
    {"58", "$)A", true, Form::kDoubleByte, "GB2312"},
};

const CodeElement& ascii_element() {
  return kCodeElements[0];
}

std::string_view trim_spaces(std::string_view v) {
  while (!v.empty() && v.front() == ' ')
    v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ')
    v.remove_suffix(1);
  return v;
}

std::vector<std::string> split_terms(std::string_view charset) {
  std::vector<std::string> terms;
  for (std::size_t start = 0;;) {
    const std::size_t end = charset.find('\\', start);
    terms.push_back(
        repair_term(charset.substr(start, end == std::string_view::npos ? end : end - start)));
    if (end == std::string_view::npos)
      return terms;
    start = end + 1;
  }
}

// "100" for "ISO_IR 100" and "ISO 2022 IR 100"; empty for other terms.
std::string_view term_number(std::string_view term) {
  for (std::string_view prefix : {"ISO_IR ", "ISO 2022 IR "}) {
    if (term.starts_with(prefix))
      return term.substr(prefix.size());
  }
  return {};
}

bool is_delimiter(unsigned char b, bool person_name) {
  return b == '\\' || b == '\r' || b == '\n' || b == '\f' || b == '\t' ||
         (person_name && (b == '^' || b == '='));
}

bool in_range(unsigned char b, unsigned char lo, unsigned char hi) {
  return b >= lo && b <= hi;
}

}  // namespace

std::string repair_term(std::string_view term) {
  std::string upper;
  for (char c : trim_spaces(term))
    upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  std::string compact;
  std::copy_if(upper.begin(), upper.end(), std::back_inserter(compact),
               [](char c) { return c != ' ' && c != '_' && c != '-'; });
  auto digits = [](std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (compact.starts_with("ISO2022IR") && digits(compact.substr(9)))
    return "ISO 2022 IR " + compact.substr(9);
  if (compact.starts_with("ISOIR") && digits(compact.substr(5)))
    return "ISO_IR " + compact.substr(5);
  return upper;
}

// The run of bytes waiting to be converted with one encoding, and the converted text.
struct CharsetDecoder::Output {
  std::string text;
  std::string pending;
  const char* encoding = nullptr;

  void push(CharsetDecoder& decoder, const char* enc, std::initializer_list<unsigned char> bytes) {
    if (enc != encoding)
      decoder.flush(*this);
    encoding = enc;
    for (unsigned char b : bytes)
      pending.push_back(static_cast<char>(b));
  }
};

CharsetDecoder::CharsetDecoder(std::string_view specific_character_set) {
  const std::vector<std::string> terms = split_terms(specific_character_set);
  const std::string& first = terms.front();
  const bool iso2022 = terms.size() > 1 || first.starts_with("ISO 2022 ");
  if (!iso2022) {
    if (first == "ISO_IR 192") {
      mode_ = Mode::kUtf8;
    } else if (first == "GB18030" || first == "GBK") {
      mode_ = Mode::kWholeValue;
      whole_value_encoding_ = first == "GBK" ? "GBK" : "GB18030";
    } else if (first == "ISO_IR 13") {
      mode_ = Mode::kWholeValue;
      whole_value_encoding_ = "SHIFT_JIS";  // as pydicom reads it
    } else {
      for (const CodeElement& e : kCodeElements) {
        if (e.form == Form::kSingleByte && e.number == term_number(first)) {
          mode_ = Mode::kWholeValue;
          whole_value_encoding_ = e.iconv_name;
        }
      }
    }
    return;  // anything else (default repertoire, unknown term): kLatin1, as pydicom reads it
  }
  mode_ = Mode::kIso2022;
  initial_.g0 = &ascii_element();
  for (const CodeElement& e : kCodeElements) {
    if (e.number == term_number(first))
      (e.g1 ? initial_.g1 : initial_.g0) = &e;
  }
}

CharsetDecoder::~CharsetDecoder() = default;

std::string CharsetDecoder::decode(std::string_view raw, bool person_name) {
  switch (mode_) {
    case Mode::kUtf8:
      return sanitize_utf8(raw);
    case Mode::kWholeValue:
      if (IconvConverter* c = converter(whole_value_encoding_)) {
        std::string out;
        c->append_utf8(raw, out);
        return sanitize_utf8(out);
      }
      break;
    case Mode::kIso2022:
      return sanitize_utf8(decode_iso2022(raw, person_name));
    case Mode::kLatin1:
      break;
  }
  std::string out;
  for (char c : raw)
    append_code_point(out, static_cast<unsigned char>(c));
  return out;
}

std::string CharsetDecoder::decode_iso2022(std::string_view raw, bool person_name) {
  State state = initial_;
  Output out;
  for (std::size_t i = 0; i < raw.size();) {
    const auto b = static_cast<unsigned char>(raw[i]);
    if (b == 0x1B)
      i = on_escape(raw, i, state, out);
    else if (b < 0x80)
      i = on_g0(raw, i, state, out, person_name);
    else
      i = on_g1(raw, i, state, out);
  }
  flush(out);
  return std::move(out.text);
}

std::size_t CharsetDecoder::on_escape(std::string_view raw, std::size_t i, State& state,
                                      Output& out) {
  const std::string_view rest = raw.substr(i + 1);
  for (const CodeElement& e : kCodeElements) {
    if (rest.starts_with(e.escape)) {
      (e.g1 ? state.g1 : state.g0) = &e;
      return i + 1 + e.escape.size();
    }
  }
  flush(out);
  out.text += kReplacementCharacter;  // an escape sequence no defined term uses
  return i + 1;
}

std::size_t CharsetDecoder::on_g0(std::string_view raw, std::size_t i, State& state, Output& out,
                                  bool person_name) {
  const auto b = static_cast<unsigned char>(raw[i]);
  const Form form = state.g0->form;
  if ((form == Form::kJisX0208 || form == Form::kJisX0212) && in_range(b, 0x21, 0x7E)) {
    const unsigned char next = i + 1 < raw.size() ? static_cast<unsigned char>(raw[i + 1]) : 0;
    if (!in_range(next, 0x21, 0x7E)) {
      flush(out);
      out.text += kReplacementCharacter;
      return i + 1;
    }
    if (form == Form::kJisX0212)
      out.push(
          *this, kEucJp,
          {0x8F, static_cast<unsigned char>(b | 0x80), static_cast<unsigned char>(next | 0x80)});
    else
      out.push(*this, kEucJp,
               {static_cast<unsigned char>(b | 0x80), static_cast<unsigned char>(next | 0x80)});
    return i + 2;
  }
  if (is_delimiter(b, person_name))
    state = initial_;
  flush(out);
  out.text.push_back(static_cast<char>(b));
  return i + 1;
}

std::size_t CharsetDecoder::on_g1(std::string_view raw, std::size_t i, const State& state,
                                  Output& out) {
  const auto b = static_cast<unsigned char>(raw[i]);
  const CodeElement* g1 = state.g1;
  if (g1 == nullptr) {  // no G1 designated: ISO 8859-1, as pydicom reads it
    flush(out);
    append_code_point(out.text, b);
    return i + 1;
  }
  if (g1->form == Form::kSingleByte) {
    out.push(*this, g1->iconv_name, {b});
    return i + 1;
  }
  if (g1->form == Form::kKatakana) {
    out.push(*this, g1->iconv_name, {0x8E, b});
    return i + 1;
  }
  const unsigned char next = i + 1 < raw.size() ? static_cast<unsigned char>(raw[i + 1]) : 0;
  if (next < 0xA1) {
    flush(out);
    out.text += kReplacementCharacter;
    return i + 1;
  }
  out.push(*this, g1->iconv_name, {b, next});
  return i + 2;
}

void CharsetDecoder::flush(Output& out) {
  if (out.pending.empty())
    return;
  if (IconvConverter* c = converter(out.encoding)) {
    c->append_utf8(out.pending, out.text);
  } else {
    for (std::size_t k = 0; k < out.pending.size(); ++k)
      out.text += kReplacementCharacter;
  }
  out.pending.clear();
}

IconvConverter* CharsetDecoder::converter(const char* encoding) {
  for (auto& [name, c] : converters_) {
    if (name == encoding)
      return c.get();
  }
  converters_.emplace_back(encoding, IconvConverter::open(encoding));
  return converters_.back().second.get();
}

}  // namespace arca::dicom::detail
