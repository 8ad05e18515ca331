#include "dicom/text_decoder.h"

#include <gtest/gtest.h>

#include <string>

#include "dicom/dcmtk_init.h"

namespace arca::dicom {
namespace {

std::string decode(const std::string& charset, const std::string& raw,
                   TextKind kind = TextKind::kPersonName) {
  init_dcmtk();
  TextDecoder decoder(charset);
  return decoder.decode(raw, kind);
}

TEST(TextDecoderTest, AsciiPassesThroughTrimmed) {
  EXPECT_EQ(decode("", "Doe^John "), "Doe^John");
  EXPECT_EQ(decode("ISO_IR 100", " CT CHEST \\ AX ", TextKind::kText), "CT CHEST\\AX");
  EXPECT_EQ(decode("", std::string("ABC\0", 4), TextKind::kText), "ABC");
}

TEST(TextDecoderTest, SingleByteCharacterSets) {
  EXPECT_EQ(decode("ISO_IR 100", "Buc^J\xe9r\xf4me"), "Buc^Jérôme");
  EXPECT_EQ(decode("ISO_IR 101", "Wa\xb3\xeasa^Lech"), "Wałęsa^Lech");
  EXPECT_EQ(decode("ISO_IR 109",
                   "\xa1"
                   "al Far",
                   TextKind::kText),
            "Ħal Far");
  EXPECT_EQ(decode("ISO_IR 110", "\xc0rija"), "Ārija");
  EXPECT_EQ(decode("ISO_IR 148",
                   "\xde"
                   "eyma^\xc7"
                   "a\xf0la"),
            "Şeyma^Çağla");
  EXPECT_EQ(decode("ISO_IR 166", "\xca\xc1\xaa\xd2\xc2"), "สมชาย");
  EXPECT_EQ(decode("ISO_IR 126", "\xc4\xe9\xef\xed\xf5\xf3\xe9\xef\xf2"), "Διονυσιος");
  EXPECT_EQ(decode("ISO_IR 127", "\xe2\xc8\xc7\xe6\xea^\xe4\xe6\xd2\xc7\xd1"), "قباني^لنزار");
  EXPECT_EQ(decode("ISO_IR 138", "\xf9\xf8\xe5\xef^\xe3\xe1\xe5\xf8\xe4"), "שרון^דבורה");
  EXPECT_EQ(decode("ISO_IR 144",
                   "\xbb\xee\xda"
                   "ce\xdc\xd1yp\xd3"),
            "Люкceмбypг");
  EXPECT_EQ(decode("ISO_IR 13", "\xb1\xb2\xb3"), "ｱｲｳ");
}

TEST(TextDecoderTest, MultiByteCharacterSetsWithoutCodeExtensions) {
  EXPECT_EQ(decode("ISO_IR 192", "Wang^XiaoDong=\xe7\x8e\x8b^\xe5\xb0\x8f\xe6\x9d\xb1="),
            "Wang^XiaoDong=王^小東");
  EXPECT_EQ(decode("GB18030", "Wang^XiaoDong=\xcd\xf5^\xd0\xa1\xb6\xab="), "Wang^XiaoDong=王^小东");
  EXPECT_EQ(decode("GB18030", "\xa2\xe3\x94\x39\xfc\x36", TextKind::kText), "€😀");
  EXPECT_EQ(decode("GBK", "\xcd\xf5\xd0\xa1\xb6\xab"), "王小东");
}

TEST(TextDecoderTest, Iso2022CodeExtensions) {
  // PS3.5 Annex H/I/K examples.
  EXPECT_EQ(
      decode(
          "\\ISO 2022 IR 87",
          "Yamada^Tarou=\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B=\x1b$B$d$^$@\x1b(B^\x1b$B$?$m$&\x1b(B"),
      "Yamada^Tarou=山田^太郎=やまだ^たろう");
  EXPECT_EQ(decode("ISO 2022 IR 13\\ISO 2022 IR 87",
                   "\xd4\xcf\xc0\xde^\xc0\xdb\xb3=\x1b$B;3ED\x1b(J^\x1b$BB@O:\x1b(J="
                   "\x1b$B$d$^$@\x1b(J^\x1b$B$?$m$&\x1b(J"),
            "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう");
  EXPECT_EQ(decode("\\ISO 2022 IR 149",
                   "Hong^Gildong=\x1b$)C\xfb\xf3^\x1b$)C\xd1\xce\xd4\xd7=\x1b$)C\xc8\xab^\x1b$)"
                   "C\xb1\xe6\xb5\xbf"),
            "Hong^Gildong=洪^吉洞=홍^길동");
  EXPECT_EQ(decode("\\ISO 2022 IR 58", "Wang^XiaoDong=\x1b$)A\xcd\xf5^\x1b$)A\xd0\xa1\xb6\xab="),
            "Wang^XiaoDong=王^小东");
  EXPECT_EQ(decode("ISO 2022 IR 6\\ISO 2022 IR 100", "Buc^\x1b-AJ\xe9r\xf4me"), "Buc^Jérôme");
  EXPECT_EQ(decode("\\ISO 2022 IR 87\\ISO 2022 IR 159", "\x1b$(D0!\x1b(B", TextKind::kText), "丂");
}

TEST(TextDecoderTest, RepairsMisspelledDefinedTerms) {
  EXPECT_EQ(decode("ISO-IR 100", "J\xe9r\xf4me"), "Jérôme");
  EXPECT_EQ(decode("ISO_IR100", "J\xe9r\xf4me"), "Jérôme");
  EXPECT_EQ(decode("iso 2022 ir 6\\iso 2022 ir 100", "\x1b-AJ\xe9r\xf4me"), "Jérôme");
}

TEST(TextDecoderTest, FallsBackLikePydicom) {
  // Default repertoire and unknown terms: ISO 8859-1, as pydicom reads them.
  EXPECT_EQ(decode("", "J\xe9r\xf4me"), "Jérôme");
  EXPECT_EQ(decode("ISO_IR 6", "J\xe9r\xf4me"), "Jérôme");
  EXPECT_EQ(decode("NO SUCH CHARSET", "J\xe9r\xf4me"), "Jérôme");
  // Invalid UTF-8 becomes U+FFFD; the result is always valid UTF-8.
  EXPECT_EQ(decode("ISO_IR 192",
                   "A\xff"
                   "B\xe7\x8e"),
            "A\xEF\xBF\xBD"
            "B\xEF\xBF\xBD\xEF\xBF\xBD");
  // Bytes the set cannot decode become U+FFFD.
  std::string bad = decode("GB18030", "A\x81", TextKind::kText);
  EXPECT_EQ(bad.substr(0, 1), "A");
  EXPECT_NE(bad.find("\xEF\xBF\xBD"), std::string::npos);
}

TEST(TextDecoderTest, PersonNameDropsTrailingEmptyGroupsOnly) {
  EXPECT_EQ(decode("", "Doe^John=="), "Doe^John");
  EXPECT_EQ(decode("", "Doe^John^^^"), "Doe^John^^^");
  EXPECT_EQ(decode("", "A=B\\C="), "A=B\\C");
  EXPECT_EQ(decode("", "A==", TextKind::kText), "A==");
}

}  // namespace
}  // namespace arca::dicom
