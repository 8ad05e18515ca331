// Measures the CPU cost of parse_part10 on a 0.5 MB CT instance (512x512, 16 bit), the size the
// ingest budget (<= 1.5 ms CPU per instance including encryption) is stated for. Prints the
// measurement; fails only far beyond the parse share of that budget, so it is not flaky.
#include <dcmtk/dcmdata/dcdeftag.h>
#include <gtest/gtest.h>

#include <ctime>
#include <iostream>
#include <vector>

#include "dicom/corpus.h"
#include "dicom/dcmtk_init.h"
#include "dicom/parse.h"
#include "dicom/test_objects.h"

namespace arca::dicom {
namespace {

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Microseconds of thread CPU time per parse, over enough runs to be stable.
double micros_per_parse(const Bytes& object) {
  constexpr int kRuns = 300;
  EXPECT_TRUE(parse_part10(object).ok());  // warm-up
  const double start = thread_cpu_seconds();
  for (int i = 0; i < kRuns; ++i) {
    auto r = parse_part10(object);
    EXPECT_TRUE(r.ok());
  }
  return (thread_cpu_seconds() - start) * 1e6 / kRuns;
}

// pydicom's CT_small.dcm header (a real CT header, ~100 elements) with 512x512 pixels.
Bytes realistic_ct() {
  DcmFileFormat file;
  const auto path = testing::pydicom_data_dir() / "test_files" / "CT_small.dcm";
  if (file.loadFile(path.c_str()).bad())
    return {};
  DcmDataset& ds = *file.getDataset();
  std::vector<Uint16> pixels(512 * 512, 1000);
  ds.putAndInsertUint16(DCM_Rows, 512);
  ds.putAndInsertUint16(DCM_Columns, 512);
  ds.putAndInsertUint16Array(DCM_PixelData, pixels.data(),
                             static_cast<unsigned long>(pixels.size()));
  return testing::write_part10(file, EXS_LittleEndianExplicit);
}

TEST(ParseCostTest, HalfMegabyteCtInstance) {
  init_dcmtk();
  testing::ObjectSpec spec;
  spec.rows = 512;
  spec.columns = 512;
  for (E_TransferSyntax xfer :
       {EXS_LittleEndianExplicit, EXS_LittleEndianImplicit, EXS_BigEndianExplicit}) {
    const Bytes object = testing::make_part10(spec, xfer);
    const double us = micros_per_parse(object);
    std::cout << "parse_part10, synthetic CT, " << DcmXfer(xfer).getXferName() << ", "
              << object.size() << " bytes: " << us << " us CPU per instance\n";
    EXPECT_LT(us, 5000.0);
  }
  const Bytes real = realistic_ct();
  if (!real.empty()) {
    const double us = micros_per_parse(real);
    std::cout << "parse_part10, CT_small header + 512x512 pixels, " << real.size()
              << " bytes: " << us << " us CPU per instance\n";
    EXPECT_LT(us, 5000.0);
  }
}

}  // namespace
}  // namespace arca::dicom
