#!/usr/bin/python3
"""Each access over its real transport finds exactly its audit record (issue 6): DICOMweb STOW,
QIDO, WADO (instance, metadata) with an API token; DIMSE C-STORE, C-FIND and C-GET from a
configured peer; records read back through GET /api/v1/audit by a system admin. Records carry
UIDs and the patient's keyed hash, never the patient's name or id.
"""
import os
import tempfile
import unittest

import pydicom

import harness
from dimse_test import tool as dimse_tool
from api_client import Client, sign_in_new_user

PASSWORD = "correct-horse-battery-staple-9"
DATA = os.path.join(harness.PYDICOM_DATA, "test_files")
CT = os.path.join(DATA, "CT_small.dcm")
MR = os.path.join(DATA, "MR_small.dcm")


def tool(*args):
    return dimse_tool(*args, timeout=120)


class AuditActionsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        cls.arca.serve()
        otp = cls.arca.first_admin_password()
        port = cls.arca.http_port
        cls.admin, _, _ = sign_in_new_user(port, "admin", otp, PASSWORD, set())
        status, body, _ = cls.admin.request("POST", "/api/v1/users",
                                            {"username": "tech", "roles": ["technologist"]})
        assert status == 201, body
        tech, _, _ = sign_in_new_user(port, "tech", body["one_time_password"], PASSWORD, set())
        status, body, _ = tech.request("POST", "/api/v1/tokens", {
            "name": "pacs-bridge", "permissions": ["study.query", "image.read", "study.write"]})
        assert status == 201, body
        cls.token_actor = f"token:{body['id']}"
        cls.api = Client(port, bearer=body["token"])
        status, body, _ = tech.request("POST", "/api/v1/tokens",
                                       {"name": "lister", "permissions": ["study.query"]})
        assert status == 201, body
        cls.lister_actor = f"token:{body['id']}"
        cls.lister = Client(port, bearer=body["token"])
        status, body, _ = cls.admin.request("POST", "/api/v1/peers", {
            "ae_title": "MODALITY", "host": "127.0.0.1", "allow": ["store", "find", "get"]})
        assert status == 201, body
        cls.ct = pydicom.dcmread(CT, stop_before_pixels=True)
        cls.mr = pydicom.dcmread(MR, stop_before_pixels=True)

    @classmethod
    def tearDownClass(cls):
        cls.arca.cleanup()

    def records(self, actor, action):
        status, body, _ = self.admin.request(
            "GET", f"/api/v1/audit?actor={actor}&action={action}&limit=1000")
        self.assertEqual(status, 200, body)
        return body["records"]

    def assert_no_phi(self, record, ds):
        text = str(record)
        self.assertNotIn(str(ds.PatientName), text)
        self.assertNotIn(str(ds.PatientID), text)

    def test_dicomweb_store_query_retrieve(self):
        with open(CT, "rb") as f:
            part = f.read()
        body = b"--b\r\nContent-Type: application/dicom\r\n\r\n" + part + b"\r\n--b--\r\n"
        status, _, _ = self.api.request("POST", "/dicom-web/studies", body, headers={
            "Content-Type": 'multipart/related; type="application/dicom"; boundary=b'})
        self.assertEqual(status, 200)
        stored = self.records(self.token_actor, "store")
        self.assertEqual(len(stored), 1)
        self.assertEqual(stored[0]["outcome"], "success")
        self.assertEqual(stored[0]["instances"], [str(self.ct.SOPInstanceUID)])
        self.assertEqual(len(stored[0]["patients"]), 1)  # the keyed hash
        self.assert_no_phi(stored[0], self.ct)

        status, _, _ = self.api.request("GET", "/dicom-web/studies?PatientID=" +
                                        str(self.ct.PatientID))
        self.assertEqual(status, 200)
        queries = self.records(self.token_actor, "query")
        self.assertEqual(len(queries), 1)
        self.assertEqual(queries[0]["detail"], "study level, 1 results")
        self.assert_no_phi(queries[0], self.ct)

        path = (f"/dicom-web/studies/{self.ct.StudyInstanceUID}/series/"
                f"{self.ct.SeriesInstanceUID}/instances/{self.ct.SOPInstanceUID}")
        self.assertEqual(self.api.request("GET", path)[0], 200)
        retrieved = self.records(self.token_actor, "retrieve")
        self.assertGreaterEqual(len(retrieved), 1)
        self.assertEqual(retrieved[-1]["studies"], [str(self.ct.StudyInstanceUID)])
        self.assertEqual(retrieved[-1]["instances"], [str(self.ct.SOPInstanceUID)])
        self.assertEqual(retrieved[-1]["patients"], stored[0]["patients"])

    def test_refused_access_is_recorded(self):
        path = f"/dicom-web/studies/{self.ct.StudyInstanceUID}/metadata"
        self.assertEqual(self.lister.request("GET", path)[0], 403)
        refused = self.records(self.lister_actor, "retrieve")
        self.assertEqual(len(refused), 1)
        self.assertEqual(refused[0]["outcome"], "failure")
        self.assertEqual(refused[0]["error_code"], "permission_denied")
        self.assertIn("/dicom-web/studies/{study}/metadata", refused[0]["detail"])

    def test_dimse_store_find_get(self):
        p = tool("storescu", "-aet", "MODALITY", "-aec", "ARCA", "127.0.0.1",
                 str(self.arca.dicom_port), MR)
        self.assertEqual(p.returncode, 0, p.stdout)
        stored = self.records("MODALITY", "store")
        self.assertEqual([r["instances"] for r in stored], [[str(self.mr.SOPInstanceUID)]])
        self.assertEqual(stored[0]["client_address"].split(":")[0], "127.0.0.1")
        self.assert_no_phi(stored[0], self.mr)

        p = tool("findscu", "-S", "-aet", "MODALITY", "-aec", "ARCA", "-k",
                 "QueryRetrieveLevel=STUDY", "-k", f"StudyInstanceUID={self.mr.StudyInstanceUID}",
                 "127.0.0.1", str(self.arca.dicom_port))
        self.assertEqual(p.returncode, 0, p.stdout)
        finds = self.records("MODALITY", "query")
        self.assertEqual(len(finds), 1)
        self.assertEqual(finds[0]["detail"], "study level, 1 results")

        with tempfile.TemporaryDirectory() as out:
            p = tool("getscu", "-S", "-aet", "MODALITY", "-aec", "ARCA", "-od", out,
                     "-k", "QueryRetrieveLevel=STUDY",
                     "-k", f"StudyInstanceUID={self.mr.StudyInstanceUID}",
                     "127.0.0.1", str(self.arca.dicom_port))
            self.assertEqual(p.returncode, 0, p.stdout)
        begun = self.records("MODALITY", "transfer_begin")
        done = self.records("MODALITY", "retrieve")
        self.assertEqual(len(begun), 1)
        self.assertEqual(len(done), 1)
        self.assertEqual(done[0]["studies"], [str(self.mr.StudyInstanceUID)])
        self.assertEqual(done[0]["outcome"], "success")


if __name__ == "__main__":
    harness.main()
