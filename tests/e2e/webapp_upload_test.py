"""The upload screen of the web app (issue 7) in a real browser: Debian's Chromium driven by
playwright-core (tests/e2e/webapp/upload.cjs) against the real `arca serve` on loopback, with
an empty archive. The browser uploads a folder of pydicom corpus files (good, damaged, refused
by the server, not DICOM, one image twice) and a .zip made here with DCMTK's dcmmkdir (a
DICOMDIR and its images), retries an upload that failed offline, and attaches a PDF and a PNG
to a study. This half then checks the archive over QIDO-RS and WADO-RS: every stored file is
there, the PDF came back byte for byte as an Encapsulated PDF, the PNG as a Secondary Capture.
Screenshots go to <build>/webapp-screenshots/upload/."""
import io
import os
import shutil
import struct
import subprocess
import tempfile
import unittest
import zipfile
import zlib

import pydicom

import harness
import webapp_harness
from api_client import Client
from webapp_harness import TEST_FILES

ENCAPSULATED_PDF = "1.2.840.10008.5.1.4.1.1.104.1"
SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"
FOLDER = ["CT_small.dcm", "MR_small.dcm", "JPEG2000.dcm", "MR_truncated.dcm", "badVR.dcm",
          "README.txt"]
ZIPPED = {"IMAGES/IM1": "test-SR.dcm", "IMAGES/IM2": "liver_1frame.dcm",
          "IMAGES/IM3": "SC_rgb_small_odd.dcm"}
OFFLINE = "image_dfl.dcm"


def make_png(width, height):
    """An RGB PNG written with zlib alone (a gradient)."""
    raw = b"".join(b"\0" + bytes((x * 7 + y * 3 + c * 50) & 0xFF
                                 for x in range(width) for c in range(3)) for y in range(height))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def make_pdf(text):
    """A small one-page PDF with correct cross-reference offsets."""
    stream = f"BT /F1 18 Tf 40 100 Td ({text}) Tj ET".encode()
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
               b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 200]/Contents 4 0 R"
               b"/Resources<</Font<</F1 5 0 R>>>>>>",
               b"<</Length %d>>stream\n" % len(stream) + stream + b"\nendstream",
               b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for o in offsets:
        out.write(b"%010d 00000 n \n" % o)
    out.write(b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def multipart_parts(body, content_type):
    boundary = content_type.split("boundary=")[1].split(";")[0].strip('"')
    parts = []
    for chunk in body.split(b"--" + boundary.encode())[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk.partition(b"\r\n\r\n")
        parts.append(data[:-2] if data.endswith(b"\r\n") else data)
    return parts


class WebAppUpload(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        cls.work = tempfile.mkdtemp(prefix="arca-upload-")
        cls.otp = webapp_harness.serve_with_first_admin(cls.arca)

    @classmethod
    def tearDownClass(cls):
        cls.arca.cleanup()
        shutil.rmtree(cls.work, ignore_errors=True)

    def prepare(self):
        folder = os.path.join(self.work, "cd")
        os.makedirs(os.path.join(folder, "again"))
        for name in FOLDER:
            shutil.copy(os.path.join(TEST_FILES, name), folder)
        shutil.copy(os.path.join(TEST_FILES, "CT_small.dcm"), os.path.join(folder, "again"))
        # A patient CD: DCMTK's dcmmkdir writes the DICOMDIR over its IMAGES folder.
        cd = os.path.join(self.work, "patient-cd")
        os.makedirs(os.path.join(cd, "IMAGES"))
        for target, source in ZIPPED.items():
            shutil.copy(os.path.join(TEST_FILES, source), os.path.join(cd, target))
        subprocess.run(["dcmmkdir", "+r", "-Pgp", "+I", "IMAGES"], cwd=cd, check=True,
                       capture_output=True)
        self.assertTrue(os.path.exists(os.path.join(cd, "DICOMDIR")))
        zip_path = os.path.join(self.work, "patient-cd.zip")
        with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
            z.write(os.path.join(cd, "DICOMDIR"), "DICOMDIR")
            for target in ZIPPED:
                z.write(os.path.join(cd, target), target)
        offline = os.path.join(self.work, OFFLINE)
        shutil.copy(os.path.join(TEST_FILES, OFFLINE), offline)
        self.pdf = make_pdf("Referral: please compare with the prior CT")
        self.png = make_png(48, 32)
        pdf_path = os.path.join(self.work, "referral.pdf")
        png_path = os.path.join(self.work, "wound-photo.png")
        with open(pdf_path, "wb") as f:
            f.write(self.pdf)
        with open(png_path, "wb") as f:
            f.write(self.png)
        ct = pydicom.dcmread(os.path.join(TEST_FILES, "CT_small.dcm"), stop_before_pixels=True)
        self.study = str(ct.StudyInstanceUID)
        lines = {
            "cd/MR_small.dcm": ["stored", "stored"],
            "cd/JPEG2000.dcm": ["stored", "stored"],
            "cd/MR_truncated.dcm": ["rejected", "not a valid DICOM file"],
            "cd/badVR.dcm": ["rejected", "SOP Instance UID differs"],
            "cd/README.txt": ["rejected", "not a DICOM file, PDF, JPEG or PNG"],
            "patient-cd.zip › DICOMDIR": ["skipped", "skipped: DICOMDIR (directory index)"],
        }
        for target in ZIPPED:
            lines[f"patient-cd.zip › {target}"] = ["stored", "stored"]
        return {
            "folder": folder, "zip": zip_path, "offline": offline, "pdf": pdf_path,
            "png": png_path, "lines": lines,
            "pairs": [["cd/CT_small.dcm", "cd/again/CT_small.dcm"]],
            "folder_lines": len(FOLDER) + 1, "zip_lines": len(ZIPPED) + 1,
            "study_uid": self.study, "study_name": "CompressedSamples, CT1",
            "title": "Referral letter",
        }

    def test_upload_screen(self):
        expect = self.prepare()
        shots = webapp_harness.shots_dir("upload")
        out = webapp_harness.run_browser(self, self.arca, "upload.cjs", shots, expect=expect,
                                         env={"ARCA_OTP": self.otp})
        token = [line.split("=", 1)[1] for line in out.splitlines()
                 if line.startswith("API_TOKEN=")][0]
        client = Client(self.arca.http_port, bearer=token)

        # Every image the screen reported stored is in the archive.
        for name in ["MR_small.dcm", "JPEG2000.dcm", "CT_small.dcm", OFFLINE,
                     *ZIPPED.values()]:
            uid = str(pydicom.dcmread(os.path.join(TEST_FILES, name),
                                      stop_before_pixels=True).SOPInstanceUID)
            status, found, _ = client.request("GET", f"/dicom-web/instances?SOPInstanceUID={uid}")
            self.assertEqual((status, len(found)), (200, 1), name)

        # The study now holds the Encapsulated PDF and the Secondary Capture.
        status, instances, _ = client.request(
            "GET", f"/dicom-web/studies/{self.study}/instances?includefield=00080016")
        self.assertEqual(status, 200)
        by_class = {}
        for i in instances:
            by_class.setdefault(i["00080016"]["Value"][0], []).append(i)
        self.assertEqual(len(by_class.get(ENCAPSULATED_PDF, [])), 1, by_class.keys())
        self.assertEqual(len(by_class.get(SECONDARY_CAPTURE, [])), 1, by_class.keys())
        pdf_ds = self.retrieve(client, by_class[ENCAPSULATED_PDF][0])
        length = int(pdf_ds.get((0x0042, 0x0015)).value)
        self.assertEqual(bytes(pdf_ds.EncapsulatedDocument)[:length], self.pdf)
        self.assertEqual(pdf_ds.MIMETypeOfEncapsulatedDocument, "application/pdf")
        self.assertEqual(pdf_ds.SeriesDescription, "Referral letter")
        self.assertEqual(str(pdf_ds.PatientName), "CompressedSamples^CT1")
        sc = self.retrieve(client, by_class[SECONDARY_CAPTURE][0])
        self.assertEqual((sc.Rows, sc.Columns, sc.SamplesPerPixel), (32, 48, 3))
        self.assertEqual(sc.PhotometricInterpretation, "RGB")
        self.assertEqual(sc.StudyInstanceUID, self.study)

    def retrieve(self, client, instance):
        series = instance["0020000E"]["Value"][0]
        sop = instance["00080018"]["Value"][0]
        status, body, headers = client.request(
            "GET", f"/dicom-web/studies/{self.study}/series/{series}/instances/{sop}",
            headers={"Accept": 'multipart/related; type="application/dicom"; transfer-syntax=*'})
        self.assertEqual(status, 200)
        parts = multipart_parts(body, headers["content-type"])
        self.assertEqual(len(parts), 1)
        return pydicom.dcmread(io.BytesIO(parts[0]))


if __name__ == "__main__":
    harness.main()
