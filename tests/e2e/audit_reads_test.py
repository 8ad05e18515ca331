#!/usr/bin/python3
"""Each read over its real transport finds exactly its audit record (issue 6): WADO-URI,
WADO-RS rendered, thumbnail, frames and metadata, QIDO with its result count; and probes
(requests for studies or instances that do not exist, or that the caller may not see) are
recorded as failed retrieves (error not_found) naming the UIDs asked for, so an insider
probing UIDs shows in the trail. Actor, action, outcome, objects (UIDs and the patient's keyed
hash), client address and request id are checked on each record.
"""
import os
import unittest

import pydicom

import harness
from api_client import Client, sign_in_new_user
from audit_records import AuditReader, check_record, no_phi

PASSWORD = "correct-horse-battery-staple-9"
DATA = os.path.join(harness.PYDICOM_DATA, "test_files")
CT = os.path.join(DATA, "CT_small.dcm")
MR = os.path.join(DATA, "MR_small.dcm")
UNKNOWN = "2.25.999999999999999999999999999999"


def stow(client, path):
    with open(path, "rb") as f:
        part = f.read()
    body = b"--b\r\nContent-Type: application/dicom\r\n\r\n" + part + b"\r\n--b--\r\n"
    status, _, _ = client.request("POST", "/dicom-web/studies", body, headers={
        "Content-Type": 'multipart/related; type="application/dicom"; boundary=b'})
    assert status == 200, status


class AuditReadsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        cls.arca.serve()
        otp = cls.arca.first_admin_password()
        port = cls.arca.http_port
        codes = set()
        cls.admin, _, _ = sign_in_new_user(port, "admin", otp, PASSWORD, codes)
        status, body, _ = cls.admin.request("POST", "/api/v1/tokens", {
            "name": "viewer", "permissions": ["study.query", "image.read", "study.write"]})
        assert status == 201, body
        cls.actor = f"token:{body['id']}"
        cls.api = Client(port, bearer=body["token"])
        stow(cls.api, CT)
        stow(cls.api, MR)
        # A referring physician who was granted the MR study only.
        status, body, _ = cls.admin.request("POST", "/api/v1/users",
                                            {"username": "ref", "roles": ["referring"]})
        assert status == 201, body
        ref_id, ref_otp = body["user"]["id"], body["one_time_password"]
        cls.ref_actor = f"user:{ref_id}"
        cls.ct = pydicom.dcmread(CT, stop_before_pixels=True)
        cls.mr = pydicom.dcmread(MR, stop_before_pixels=True)
        status, body, _ = cls.admin.request("POST", f"/api/v1/users/{ref_id}/grants",
                                            {"study": str(cls.mr.StudyInstanceUID)})
        assert status == 201, body
        cls.referring, _, _ = sign_in_new_user(port, "ref", ref_otp, PASSWORD, codes)
        cls.trail = AuditReader(cls.admin)
        cls.ct_patient = cls.trail.patient_hash(str(cls.ct.PatientID))

    @classmethod
    def tearDownClass(cls):
        cls.arca.cleanup()

    def instance_path(self, ds):
        return (f"/dicom-web/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}"
                f"/instances/{ds.SOPInstanceUID}")

    def read_one(self, path, headers=None):
        """GETs `path` as the token; the one record it added, checked as a successful read of
        the CT instance."""
        self.trail.new_records()
        status, body, hdrs = self.api.request("GET", path, headers=headers)
        self.assertEqual(status, 200, body)
        records = self.trail.new_records()
        self.assertEqual(len(records), 1, records)
        check_record(self, records[0], actor=self.actor, tenant="default", action="retrieve",
                     outcome="success", studies=[str(self.ct.StudyInstanceUID)],
                     instances=[str(self.ct.SOPInstanceUID)], patients=[self.ct_patient],
                     request_id=hdrs["x-request-id"])
        no_phi(self, records, self.ct.PatientName, self.ct.PatientID)
        return records[0]

    def test_wado_uri(self):
        self.read_one(f"/wado?requestType=WADO&studyUID={self.ct.StudyInstanceUID}"
                      f"&seriesUID={self.ct.SeriesInstanceUID}"
                      f"&objectUID={self.ct.SOPInstanceUID}&contentType=application/dicom")

    def test_rendered(self):
        self.read_one(self.instance_path(self.ct) + "/rendered", {"Accept": "image/jpeg"})

    def test_thumbnail(self):
        self.read_one(self.instance_path(self.ct) + "/thumbnail", {"Accept": "image/jpeg"})

    def test_frames(self):
        self.read_one(self.instance_path(self.ct) + "/frames/1",
                      {"Accept": "multipart/related; type=\"application/octet-stream\""})

    def test_metadata(self):
        self.read_one(f"/dicom-web/studies/{self.ct.StudyInstanceUID}/metadata")

    def test_qido_records_the_result_count(self):
        self.trail.new_records()
        status, body, hdrs = self.api.request(
            "GET", f"/dicom-web/studies?StudyInstanceUID={self.ct.StudyInstanceUID}")
        self.assertEqual(status, 200)
        self.assertEqual(len(body), 1)
        records = self.trail.new_records()
        self.assertEqual(len(records), 1, records)
        check_record(self, records[0], actor=self.actor, action="query", outcome="success",
                     detail="study level, 1 results", request_id=hdrs["x-request-id"])
        status, body, hdrs = self.api.request("GET", "/dicom-web/series?Modality=XA")
        self.assertIn(status, (200, 204))
        records = self.trail.new_records()
        self.assertEqual(len(records), 1, records)
        check_record(self, records[0], actor=self.actor, action="query", outcome="success",
                     detail="series level, 0 results", request_id=hdrs["x-request-id"])

    def probe(self, client, path, actor, **objects):
        self.trail.new_records()
        status, _, hdrs = client.request("GET", path)
        self.assertEqual(status, 404)
        records = self.trail.new_records()
        self.assertEqual(len(records), 1, records)
        check_record(self, records[0], actor=actor, action="retrieve", outcome="failure",
                     error_code="not_found", patients=[], request_id=hdrs["x-request-id"],
                     **objects)

    def test_probe_for_an_unknown_study_is_recorded(self):
        self.probe(self.api, f"/dicom-web/studies/{UNKNOWN}/metadata", self.actor,
                   studies=[UNKNOWN], instances=[])

    def test_probe_for_an_unknown_instance_is_recorded(self):
        self.probe(self.api, f"/dicom-web/studies/{self.ct.StudyInstanceUID}/series/"
                             f"{self.ct.SeriesInstanceUID}/instances/{UNKNOWN}",
                   self.actor, studies=[], instances=[UNKNOWN])

    def test_probe_outside_the_callers_scope_is_recorded(self):
        # The CT study exists, but the referring physician was granted the MR study only: the
        # answer and the record are those of a study that does not exist.
        self.probe(self.referring, f"/dicom-web/studies/{self.ct.StudyInstanceUID}/metadata",
                   self.ref_actor, studies=[str(self.ct.StudyInstanceUID)], instances=[])


if __name__ == "__main__":
    harness.main()
