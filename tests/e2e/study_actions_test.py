#!/usr/bin/python3
"""The worklist's per-study actions over real HTTPS (issues 6 and 7):
- GET /api/v1/studies/{study}/archive: a radiologist's session cookie downloads the study with
  curl as a zip; Python's zipfile checks every CRC, and every entry is byte for byte one of the
  imported files, under a PHI-free name; front desk and technologist (no study.export) get 403,
  an unknown study 404; the download is audited (transfer_begin, export).
- DELETE /api/v1/studies/{study}: an admin deletes a study; QIDO no longer finds it, its blobs are
  gone from the data directory, the audit trail has a "delete" record with the study UID and the
  patient's keyed hash; a second delete is 404; non-admins get 403. Deleting while the same study
  is being stored leaves no row without its blob.
- QIDO orderby/includetotal (the worklist's sort and "of N"), and their refusal when malformed.
"""
import io
import os
import threading
import time
import unittest
import zipfile

import pydicom

import harness
import pack_files
from api_client import Client, sign_in_new_user

PASSWORD = "correct-horse-battery-staple-9"
DATA = os.path.join(harness.PYDICOM_DATA, "test_files")


class StudyActionsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        p = cls.arca.run("import", "--list", os.path.join(DATA, "dicomdirtests"),
                         os.path.join(DATA, "CT_small.dcm"), os.path.join(DATA, "MR_small.dcm"))
        stored = [n for what, _, n in harness.parse_list(p.stdout) if what == "stored"]
        assert len(stored) > 10, p.stdout[-2000:]
        cls.files = {}  # study UID -> {SOP Instance UID: file bytes}
        cls.names = {}  # study UID -> patient name (for the PHI checks)
        for name in stored:
            ds = pydicom.dcmread(name, stop_before_pixels=True)
            with open(name, "rb") as f:
                cls.files.setdefault(str(ds.StudyInstanceUID), {})[str(ds.SOPInstanceUID)] = f.read()
            cls.names[str(ds.StudyInstanceUID)] = (str(ds.get("PatientName", "")),
                                                   str(ds.get("PatientID", "")))
        cls.arca.serve()
        otp = cls.arca.first_admin_password()
        port = cls.arca.http_port
        cls.admin, _, _ = sign_in_new_user(port, "admin", otp, PASSWORD, set())
        cls.users = {}
        for role in ("radiologist", "technologist", "front_desk"):
            status, body, _ = cls.admin.request("POST", "/api/v1/users",
                                                {"username": f"u-{role}", "roles": [role]})
            assert status == 201, body
            cls.users[role], _, _ = sign_in_new_user(port, f"u-{role}",
                                                     body["one_time_password"], PASSWORD, set())

    @classmethod
    def tearDownClass(cls):
        cls.arca.cleanup()

    def url(self, path):
        return f"https://127.0.0.1:{self.arca.http_port}{path}"

    def biggest_study(self):
        return max(self.files, key=lambda uid: (len(self.files[uid]), uid))

    def audit(self, **query):
        q = "&".join(f"{k}={v}" for k, v in query.items())
        status, body, _ = self.admin.request("GET", f"/api/v1/audit?{q}&limit=1000")
        self.assertEqual(status, 200, body)
        return body["records"]

    def test_a_radiologist_downloads_a_study_as_a_zip_with_curl(self):
        study = self.biggest_study()
        cookie = "arca_session=" + self.users["radiologist"].session
        status, body, headers = harness.curl(self.url(f"/api/v1/studies/{study}/archive"),
                                             "-H", f"Cookie: {cookie}", timeout=120)
        self.assertEqual(status, 200, body[:300])
        self.assertIn("content-type: application/zip", headers.lower())
        self.assertIn(f"content-length: {len(body)}", headers.lower())
        self.assertIn(f'filename="study-{study}.zip"', headers)
        z = zipfile.ZipFile(io.BytesIO(body))
        self.assertIsNone(z.testzip(), "every entry's CRC-32 checks out")
        names = z.namelist()
        self.assertEqual(len(names), len(self.files[study]))
        patient_name, patient_id = self.names[study]
        got = {}
        for name in names:
            self.assertRegex(name, r"^STUDY/SERIES-\d{3}/IMAGE-\d{4}\.dcm$")
            self.assertEqual(z.getinfo(name).compress_type, zipfile.ZIP_STORED)
            data = z.read(name)
            uid = str(pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True).SOPInstanceUID)
            got[uid] = data
        self.assertEqual(got, self.files[study], "every entry is byte for byte the stored file")
        listing = " ".join(names)
        for phi in (patient_name, patient_id):
            if len(phi) > 2:
                self.assertNotIn(phi, listing)
        actor = f"user:{self.users['radiologist'].request('GET', '/api/v1/me')[1]['user']['id']}"
        exports = [r for r in self.audit(actor=actor, action="export") if study in r["studies"]]
        self.assertEqual(len(exports), 1, exports)
        self.assertEqual(exports[0]["outcome"], "success")
        self.assertEqual(sorted(exports[0]["instances"]), sorted(self.files[study]))
        self.assertTrue(exports[0]["patients"])
        begun = [r for r in self.audit(actor=actor, action="transfer_begin")
                 if study in r["studies"]]
        self.assertEqual(len(begun), 1)

    def test_archive_refusals(self):
        study = self.biggest_study()
        for role in ("front_desk", "technologist"):
            status, _, _ = self.users[role].request("GET", f"/api/v1/studies/{study}/archive")
            self.assertEqual(status, 403, role)
        status, _, _ = self.users["radiologist"].request(
            "GET", "/api/v1/studies/1.2.3.4.5.404/archive")
        self.assertEqual(status, 404)
        for bad in ("1.2.x", "1.2%0d%0aX-Injected:%201", "01.2"):
            status, _, headers = self.users["radiologist"].request(
                "GET", f"/api/v1/studies/{bad}/archive")
            self.assertEqual(status, 400, bad)
            self.assertNotIn("X-Injected", str(headers))
        status, _, _ = Client(self.arca.http_port).request(
            "GET", f"/api/v1/studies/{study}/archive")
        self.assertEqual(status, 401)

    def blob_files(self):
        """{blob id: record} of the committed blobs in the pack files."""
        return pack_files.committed(self.arca.data_dir)

    def qido(self, client, query):
        status, body, headers = client.request("GET", f"/dicom-web/studies?{query}")
        self.assertEqual(status, 200, body)
        return body, headers

    def test_an_admin_deletes_a_study(self):
        study = sorted(u for u in self.files if u != self.biggest_study())[0]
        n = len(self.files[study])
        before = self.blob_files()
        for role in ("radiologist", "technologist", "front_desk"):
            status, _, _ = self.users[role].request("DELETE", f"/api/v1/studies/{study}")
            self.assertEqual(status, 403, role)
        self.assertEqual(len(self.qido(self.admin, f"StudyInstanceUID={study}")[0]), 1)
        status, body, _ = self.admin.request("DELETE", f"/api/v1/studies/{study}")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["instances"], n)
        self.assertEqual(self.qido(self.admin, f"StudyInstanceUID={study}")[0], [])
        after = self.blob_files()
        gone = before.keys() - after.keys()
        self.assertEqual(len(gone), n, "the study's blobs are gone from the data dir")
        self.assertFalse(after.keys() - before.keys())
        # Erased, not just unlisted: their records say removed and their bytes are zeros.
        removed = {r.id: r for r in pack_files.records(self.arca.data_dir) if r.state == "removed"}
        for blob in gone:
            self.assertIn(blob, removed)
            self.assertEqual(pack_files.read_data(removed[blob]), bytes(before[blob].length), blob)
        status, _, _ = self.admin.request("GET", f"/dicom-web/studies/{study}/metadata")
        self.assertEqual(status, 404)
        status, _, _ = self.admin.request("DELETE", f"/api/v1/studies/{study}")
        self.assertEqual(status, 404, "a second delete finds nothing")
        records = [r for r in self.audit(action="delete") if study in r["studies"]]
        done = [r for r in records if r["outcome"] == "success"]
        self.assertEqual(len(done), 1, records)
        stored = [r for r in self.audit(action="store", study=study)]
        self.assertTrue(stored)
        self.assertEqual(done[0]["patients"], stored[0]["patients"], "the patient's keyed hash")
        self.assertEqual(sorted(done[0]["instances"]), sorted(self.files[study]))
        patient_name, patient_id = self.names[study]
        for phi in (patient_name, patient_id):
            if len(phi) > 2:
                self.assertNotIn(phi, str(done[0]))
        self.assertTrue(any(r["outcome"] == "failure" and r["error_code"] == "not_found"
                            for r in records), "the second delete is audited as failed")

    def test_delete_during_a_store_of_the_same_study_leaves_nothing_dangling(self):
        # Store the CT again and again under fresh UIDs in one study while deleting it; at the
        # end every instance QIDO lists must be retrievable (its blob exists).
        ct = pydicom.dcmread(os.path.join(DATA, "CT_small.dcm"))
        study = pydicom.uid.generate_uid()
        ct.StudyInstanceUID = study
        ct.SeriesInstanceUID = pydicom.uid.generate_uid()  # an existing series keeps its study
        stop = threading.Event()
        errors = []

        def store():
            i = 0
            while not stop.is_set() and i < 60:
                i += 1
                ct.SOPInstanceUID = pydicom.uid.generate_uid()
                ct.file_meta.MediaStorageSOPInstanceUID = ct.SOPInstanceUID
                buf = io.BytesIO()
                ct.save_as(buf, write_like_original=False)
                body = (b"--b\r\nContent-Type: application/dicom\r\n\r\n" + buf.getvalue() +
                        b"\r\n--b--\r\n")
                status, _, _ = self.admin.request("POST", "/dicom-web/studies", body, headers={
                    "Content-Type": 'multipart/related; type="application/dicom"; boundary=b'})
                if status != 200:
                    errors.append(status)

        writer = threading.Thread(target=store)
        writer.start()
        deleted = 0
        while writer.is_alive():
            status, body, _ = self.admin.request("DELETE", f"/api/v1/studies/{study}")
            self.assertIn(status, (200, 404), body)
            deleted += body["instances"] if status == 200 else 0
            time.sleep(0.05)
        stop.set()
        writer.join()
        self.assertEqual(errors, [])
        body, _ = self.qido(self.admin, f"StudyInstanceUID={study}&includefield=00201208")
        left = int(body[0]["00201208"]["Value"][0]) if body else 0
        status, metadata, _ = self.admin.request("GET", f"/dicom-web/studies/{study}/metadata")
        if left:
            self.assertEqual(status, 200)
            self.assertEqual(len(metadata), left, "every listed instance can be read")
        else:
            self.assertEqual(status, 404)
        self.assertGreater(deleted, 0)

    def test_qido_orderby_and_total(self):
        rad = self.users["radiologist"]
        body, headers = self.qido(rad, "orderby=PatientID,-StudyDate&includetotal=true&limit=2")
        self.assertEqual(len(body), 2)
        total = int(headers["x-total-count"])
        self.assertGreaterEqual(total, 3)
        everything, _ = self.qido(rad, "orderby=PatientID,-StudyDate")
        self.assertEqual(len(everything), total)
        ids = [s.get("00100020", {}).get("Value", [""])[0] for s in everything]
        self.assertEqual(ids, sorted(ids))
        pages = []
        for offset in range(0, total, 2):
            page, _ = self.qido(rad, f"orderby=PatientID,-StudyDate&limit=2&offset={offset}")
            pages += [s["0020000D"]["Value"][0] for s in page]
        self.assertEqual(pages, [s["0020000D"]["Value"][0] for s in everything])
        for bad in ("orderby=PatientSex", "orderby=StudyDate,StudyDate", "includetotal=yes"):
            status, _, _ = rad.request("GET", f"/dicom-web/studies?{bad}")
            self.assertEqual(status, 400, bad)


if __name__ == "__main__":
    harness.main()
