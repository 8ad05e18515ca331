"""The OHIF viewer in a real browser (issue 7): a 20-slice CT series made from pydicom's
CT_small.dcm, and a 10-frame image in a study of its own, are imported; then
tests/e2e/webapp/viewer.cjs signs in as the first admin, opens the CT study in OHIF, checks
pixels, scrolls the stack, changes window/level, draws a length measurement and saves it as a
DICOM SR (STOW-RS from OHIF), reopens the study and loads the SR back, and scrolls through the
frames of the multi-frame image. The SR the browser stored is fetched over WADO-RS by the page
and decoded here with pydicom: a TID 1500 measurement report holding the length OHIF showed, on
the image it was drawn on. Screenshots go to <build>/webapp-screenshots/viewer/."""
import os
import unittest

import numpy
import pydicom

import harness
import webapp_harness
from webapp_harness import TEST_FILES

SLICES = 20
ROOT = "1.2.826.0.1.3680043.8.498.7707"
STUDY = ROOT + ".1"
SERIES = ROOT + ".2"
FRAMES = 10
MF_STUDY, MF_SERIES, MF_INSTANCE = ROOT + ".5", ROOT + ".6", ROOT + ".7"


def make_series(folder):
    """SLICES CT images, 5 mm apart, each with its own pixels (a bright bar at the bottom whose
    length grows with the instance number), so that scrolling visibly changes the image."""
    paths = []
    for i in range(SLICES):
        ds = pydicom.dcmread(os.path.join(TEST_FILES, "CT_small.dcm"))
        ds.PatientName, ds.PatientID = "STACK^VIEWER", "ARCA-7707"
        ds.StudyInstanceUID, ds.SeriesInstanceUID = STUDY, SERIES
        ds.SOPInstanceUID = f"{ROOT}.3.{i + 1}"
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.FrameOfReferenceUID = ROOT + ".4"
        ds.StudyDescription, ds.SeriesDescription = "Viewer stack", "CT stack 20 slices"
        ds.AccessionNumber, ds.StudyID = "ACC7707", "7707"
        ds.SeriesNumber, ds.InstanceNumber = 1, i + 1
        z = -75.7 + 5.0 * i
        ds.ImagePositionPatient = [-158.135803, -179.035797, z]
        ds.SliceLocation = z
        pixels = ds.pixel_array.copy()
        pixels[121:124, 4:4 + 6 * (i + 1)] = pixels.max()
        ds.PixelData = pixels.astype(ds.pixel_array.dtype).tobytes()
        path = os.path.join(folder, f"slice{i + 1:02d}.dcm")
        ds.save_as(path, write_like_original=False)
        paths.append(path)
    return paths


def content_items(sr, value_type):
    """Every content item of this value type in the SR's content tree."""
    out = []

    def walk(items):
        for item in items:
            if item.get("ValueType") == value_type:
                out.append(item)
            if "ContentSequence" in item:
                walk(item.ContentSequence)

    walk(sr.get("ContentSequence", []))
    return out


def make_multiframe(folder):
    """One Multi-frame Grayscale Word Secondary Capture of FRAMES frames (the CT phantom with the
    same growing bar) in a study of its own: scrolling in it walks frames, not instances."""
    ds = pydicom.dcmread(os.path.join(TEST_FILES, "CT_small.dcm"))
    frames = []
    for i in range(FRAMES):
        pixels = ds.pixel_array.copy()
        pixels[121:124, 4:4 + 12 * (i + 1)] = pixels.max()
        frames.append(pixels)
    sc = pydicom.Dataset()
    sc.file_meta = pydicom.dataset.FileMetaDataset()
    sc.file_meta.TransferSyntaxUID = pydicom.uid.ExplicitVRLittleEndian
    sc.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7.3"
    sc.file_meta.MediaStorageSOPClassUID = sc.SOPClassUID
    sc.SOPInstanceUID = sc.file_meta.MediaStorageSOPInstanceUID = MF_INSTANCE
    sc.PatientName, sc.PatientID, sc.PatientBirthDate, sc.PatientSex = \
        "STACK^VIEWER", "ARCA-7707", "19700101", "O"
    sc.StudyInstanceUID, sc.SeriesInstanceUID = MF_STUDY, MF_SERIES
    sc.StudyDate, sc.StudyTime, sc.StudyID, sc.AccessionNumber = "20240301", "090000", "7708", \
        "ACC7708"
    sc.ReferringPhysicianName, sc.StudyDescription = "", "Viewer frames"
    sc.Modality, sc.SeriesNumber, sc.InstanceNumber = "OT", 1, 1
    sc.SeriesDescription, sc.ConversionType = "10 frames", "WSD"
    sc.SamplesPerPixel, sc.PhotometricInterpretation = 1, "MONOCHROME2"
    sc.Rows, sc.Columns = ds.Rows, ds.Columns
    sc.BitsAllocated, sc.BitsStored, sc.HighBit, sc.PixelRepresentation = 16, 16, 15, 0
    sc.NumberOfFrames = FRAMES
    sc.FrameIncrementPointer = pydicom.tag.Tag("FrameTime")
    sc.FrameTime = 100
    sc.RescaleIntercept, sc.RescaleSlope, sc.RescaleType = 0, 1, "US"
    shift = -min(int(f.min()) for f in frames)
    sc.PixelData = numpy.stack([f.astype(numpy.int32) + shift for f in frames]) \
        .astype(numpy.uint16).tobytes()
    path = os.path.join(folder, "frames.dcm")
    sc.save_as(path, write_like_original=False)
    return path


def length_items(sr):
    """(concept meaning, value, unit) of every measured NUM item in the SR."""
    return [(item.ConceptNameCodeSequence[0].CodeMeaning,
             float(item.MeasuredValueSequence[0].NumericValue),
             item.MeasuredValueSequence[0].MeasurementUnitsCodeSequence[0].CodeValue)
            for item in content_items(sr, "NUM") if "MeasuredValueSequence" in item]


class WebAppViewer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        cls.files = os.path.join(cls.arca.root, "stack")
        os.makedirs(cls.files)
        make_series(cls.files)
        make_multiframe(cls.files)
        p = cls.arca.run("import", "--list", cls.files)
        stored = [n for what, _, n in harness.parse_list(p.stdout) if what == "stored"]
        assert len(stored) == SLICES + 1, p.stdout[-2000:]
        cls.otp = webapp_harness.serve_with_first_admin(cls.arca)

    @classmethod
    def tearDownClass(cls):
        cls.arca.cleanup()

    def test_open_scroll_window_measure_save_reopen(self):
        shots = webapp_harness.shots_dir("viewer")
        sr_out = os.path.join(self.arca.root, "stored-sr.dcm")
        expect = {"study": STUDY, "series": SERIES, "slices": SLICES, "frames_study": MF_STUDY,
                  "frames": FRAMES}
        try:
            out = webapp_harness.run_browser(self, self.arca, "viewer.cjs", shots, expect,
                                             env={"ARCA_OTP": self.otp, "SR_OUT": sr_out})
        except AssertionError:
            print("server log (tail):\n" + self.arca.log()[-4000:])
            raise
        # The SR OHIF stored: a Comprehensive 3D / Enhanced SR measurement report (TID 1500)
        # in this study, referencing the CT series, with the length the panel showed.
        sr = pydicom.dcmread(sr_out)
        self.assertEqual(sr.Modality, "SR")
        self.assertEqual(sr.StudyInstanceUID, STUDY)
        self.assertEqual(sr.ContentTemplateSequence[0].TemplateIdentifier, "1500")
        # 126000: Imaging Measurement Report.
        self.assertEqual(sr.ConceptNameCodeSequence[0].CodeValue, "126000")
        lengths = [v for meaning, v, unit in length_items(sr) if unit == "mm"]
        self.assertEqual(len(lengths), 1, length_items(sr))
        shown = [line for line in out.splitlines() if line.startswith("measured length mm: ")]
        self.assertEqual(len(shown), 1, out[-2000:])
        self.assertAlmostEqual(lengths[0], float(shown[0].split(": ")[1]), delta=1e-4)
        refs = str(sr.get("CurrentRequestedProcedureEvidenceSequence", ""))
        self.assertIn(SERIES, refs, "the SR references the CT series")
        # The two end points are on the image the length was drawn on.
        on = [line for line in out.splitlines() if line.startswith("measured on instance: ")]
        image = f"{ROOT}.3.{int(on[0].split(': ')[1])}"
        coords = content_items(sr, "SCOORD")
        self.assertEqual(len(coords), 1)
        self.assertEqual(coords[0].GraphicType, "POLYLINE")
        self.assertEqual(len(coords[0].GraphicData), 4)
        image_refs = [i.ReferencedSOPSequence[0].ReferencedSOPInstanceUID
                      for i in content_items(sr, "IMAGE") + coords if "ReferencedSOPSequence" in i]
        self.assertIn(image, image_refs)
        for shot in ("01-viewer", "02-scrolled", "03-window-level", "04-measurement",
                     "05-measurements-panel", "06-saved", "07-reopened-sr", "08-multi-frame"):
            self.assertTrue(os.path.getsize(os.path.join(shots, shot + ".png")) > 5000, shot)
        self.assertNotIn("STACK^VIEWER", self.arca.log(), "PHI in the server log")


if __name__ == "__main__":
    harness.main()
