"""POST /api/v1/studies/{study}/documents over HTTPS without a browser: a PDF, a PNG and a JPEG
become DICOM objects of the study (read back with WADO-RS, pydicom and DCMTK's dcmdump), and
every refusal answers as it should: wrong magic bytes, a damaged PNG, an unsupported type, an
unknown study, a study of another tenant, a body over the limit, no credentials, a role without
document.write (front desk included). Also STOW-RS: an identical re-store is marked DUPLICATE in the store response."""
import io
import os
import subprocess
import tempfile
import unittest
import urllib.parse

import pydicom

import harness
from api_client import Client, sign_in_new_user
from webapp_upload_test import make_pdf, make_png, multipart_parts

PASSWORD = "documents belong to studies 9"
CT = os.path.join(harness.PYDICOM_DATA, "test_files", "CT_small.dcm")
JPEG_DCM = os.path.join(harness.PYDICOM_DATA, "test_files", "SC_rgb_jpeg_dcmtk.dcm")


def jpeg_bytes():
    """A baseline JPEG: the fragment of a pydicom corpus file (DCMTK-encoded, YCbCr)."""
    ds = pydicom.dcmread(JPEG_DCM)
    frames = pydicom.encaps.generate_pixel_data_frame(ds.PixelData)
    return next(frames)


class Documents(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        cls.arca.run("import", CT, check=0)
        cls.arca.run("tenant", "add", "north", check=0)
        cls.arca.serve()
        otp = cls.arca.first_admin_password()
        cls.port = cls.arca.http_port
        used = set()
        cls.admin, _, _ = sign_in_new_user(cls.port, "admin", otp, PASSWORD, used)
        cls.users = {}
        for name, role, tenant in [("tech", "technologist", None), ("desk", "front_desk", None),
                                   ("northrad", "radiologist", "north"),
                                   ("doc", "referring", None)]:
            body = {"username": name, "roles": [role]}
            if tenant:
                body["tenant"] = tenant
            status, added, _ = cls.admin.request("POST", "/api/v1/users", body)
            assert status == 201, added
            cls.users[name], _, _ = sign_in_new_user(cls.port, name, added["one_time_password"],
                                                     PASSWORD, used)
        cls.study = str(pydicom.dcmread(CT, stop_before_pixels=True).StudyInstanceUID)

    @classmethod
    def tearDownClass(cls):
        cls.arca.cleanup()

    def attach(self, client, data, content_type, study=None, title=None):
        headers = {"Content-Type": content_type}
        if title is not None:
            headers["X-Document-Title"] = urllib.parse.quote(title)
        return client.request("POST", f"/api/v1/studies/{study or self.study}/documents",
                              body=data, headers=headers)

    def read_back(self, answer):
        status, body, headers = self.admin.request(
            "GET", f"/dicom-web/studies/{answer['study']}/series/{answer['series']}/instances/"
            f"{answer['instance']}",
            headers={"Accept": 'multipart/related; type="application/dicom"; transfer-syntax=*'})
        self.assertEqual(status, 200)
        part = multipart_parts(body, headers["content-type"])[0]
        with tempfile.NamedTemporaryFile(suffix=".dcm") as f:
            f.write(part)
            f.flush()
            dump = subprocess.run(["dcmdump", f.name], capture_output=True, text=True)
        self.assertEqual(dump.returncode, 0, dump.stderr)
        return pydicom.dcmread(io.BytesIO(part)), dump.stdout

    def test_pdf_becomes_an_encapsulated_pdf_of_the_study(self):
        pdf = make_pdf("Referral letter")
        status, answer, _ = self.attach(self.users["tech"], pdf, "application/pdf",
                                        title="Überweisung Dr. Weiß")
        self.assertEqual(status, 201, answer)
        self.assertEqual(answer["sop_class"], "1.2.840.10008.5.1.4.1.1.104.1")
        self.assertEqual(answer["study"], self.study)
        self.assertTrue(answer["instance"].startswith("2.25."))
        ds, dump = self.read_back(answer)
        self.assertEqual(bytes(ds.EncapsulatedDocument)[:len(pdf)], pdf)
        self.assertEqual(ds[0x00420015].value, len(pdf))
        self.assertEqual(ds.Modality, "DOC")
        self.assertEqual(ds.SeriesDescription, "Überweisung Dr. Weiß")
        self.assertEqual(str(ds.PatientName), "CompressedSamples^CT1")
        self.assertIn("EncapsulatedDocument", dump)

    def test_png_and_jpeg_become_secondary_capture(self):
        status, answer, _ = self.attach(self.users["tech"], make_png(20, 10), "image/png")
        self.assertEqual(status, 201, answer)
        ds, _ = self.read_back(answer)
        self.assertEqual(ds.SOPClassUID, "1.2.840.10008.5.1.4.1.1.7")
        self.assertEqual((ds.Rows, ds.Columns, ds.SamplesPerPixel), (10, 20, 3))
        self.assertEqual(ds.SeriesDescription, "Photo")
        jpeg = jpeg_bytes()
        status, answer, _ = self.attach(self.admin, jpeg, "image/jpeg", title="Wound")
        self.assertEqual(status, 201, answer)
        ds, _ = self.read_back(answer)
        self.assertEqual(ds.file_meta.TransferSyntaxUID, "1.2.840.10008.1.2.4.50")
        self.assertEqual(next(pydicom.encaps.generate_pixel_data_frame(ds.PixelData)), jpeg)

    def test_refusals(self):
        tech = self.users["tech"]
        png = make_png(8, 8)
        status, body, _ = self.attach(tech, png, "application/pdf")
        self.assertEqual(status, 400, body)
        self.assertIn("does not match", body["message"])
        damaged = png[:-30] + b"\0" * 18 + png[-12:]
        status, body, _ = self.attach(tech, damaged, "image/png")
        self.assertEqual(status, 400, body)
        self.assertIn("PNG", body["message"])
        status, body, _ = self.attach(tech, b"GIF89a....", "image/gif")
        self.assertEqual(status, 415, body)
        status, body, _ = self.attach(tech, make_pdf("x"), "application/pdf",
                                      study="1.2.3.4.5.6.7.8.9")
        self.assertEqual(status, 404, body)
        # Another tenant's study is not found either, exactly like a missing one.
        status, body, _ = self.attach(self.users["northrad"], make_pdf("x"), "application/pdf")
        self.assertEqual(status, 404, body)
        # A referring physician has no document.write (and this study is not granted anyway).
        status, body, _ = self.attach(self.users["doc"], make_pdf("x"), "application/pdf")
        self.assertIn(status, (403, 404), body)
        status, body, _ = self.attach(Client(self.port), make_pdf("x"), "application/pdf")
        self.assertEqual(status, 401, body)

    def test_front_desk_attaches_documents_but_stores_no_images(self):
        """DESIGN §5: the front desk may store documents only (document.write)."""
        desk = self.users["desk"]
        status, answer, _ = self.attach(desk, make_pdf("referral letter"), "application/pdf",
                                        title="Referral")
        self.assertEqual(status, 201, answer)
        self.assertEqual(answer["sop_class"], "1.2.840.10008.5.1.4.1.1.104.1")
        with open(CT, "rb") as f:
            data = f.read()
        body = (b"--b\r\nContent-Type: application/dicom\r\n\r\n" + data + b"\r\n--b--\r\n")
        headers = {"Content-Type": 'multipart/related; type="application/dicom"; boundary=b',
                   "Accept": "application/dicom+json"}
        status, _, _ = desk.request("POST", "/dicom-web/studies", body=body, headers=headers)
        self.assertEqual(status, 403)
        # The front desk reads no images: the study header was read for it, not shown to it.
        status, _, _ = desk.request(
            "GET", f"/dicom-web/studies/{answer['study']}/series/{answer['series']}/instances/"
            f"{answer['instance']}")
        self.assertEqual(status, 403)

    def test_too_large_with_curl(self):
        big = b"%PDF-1.4\n" + b"0" * (64 << 20)
        cookie = f"arca_session={self.users['tech'].session}"
        status, _, _ = harness.curl(
            f"https://127.0.0.1:{self.port}/api/v1/studies/{self.study}/documents",
            "-X", "POST", "-H", "Content-Type: application/pdf", "-H", f"Cookie: {cookie}",
            "-H", f"X-CSRF-Token: {self.users['tech'].csrf}", "--data-binary", "@-", stdin=big)
        self.assertEqual(status, 413)

    def test_stow_marks_an_identical_restore_as_duplicate(self):
        with open(CT, "rb") as f:
            data = f.read()
        body = (b"--b\r\nContent-Type: application/dicom\r\n\r\n" + data + b"\r\n--b--\r\n")
        headers = {"Content-Type": 'multipart/related; type="application/dicom"; boundary=b',
                   "Accept": "application/dicom+json"}
        status, answer, _ = self.admin.request("POST", "/dicom-web/studies", body=body,
                                               headers=headers)
        self.assertEqual(status, 200, answer)
        item = answer["00081199"]["Value"][0]
        self.assertEqual(item["00990010"]["Value"], ["ARCA"])
        self.assertEqual(item["00991001"]["Value"], ["DUPLICATE"])
        # A refused part says why in words, beside its FailureReason.
        truncated = data[:len(data) // 2]
        body = (b"--b\r\nContent-Type: application/dicom\r\n\r\n" + truncated + b"\r\n--b--\r\n")
        status, answer, _ = self.admin.request("POST", "/dicom-web/studies", body=body,
                                               headers=headers)
        self.assertEqual(status, 409, answer)
        failed = answer["00081198"]["Value"][0]
        self.assertEqual(failed["00081197"]["Value"], [0xC000])
        self.assertIn("truncated", failed["00991002"]["Value"][0])


if __name__ == "__main__":
    harness.main()
