#!/usr/bin/python3
"""Each transfer over its real transport finds exactly its audit records (issue 6): DIMSE
C-STORE (storescu), C-FIND (findscu), C-GET (getscu) and C-MOVE (movescu, to a storescp this
test starts) from configured peers, read back through GET /api/v1/audit; and the console's
`arca import` and `arca export`, read back through `arca audit export`. Actor, action, outcome,
objects (UIDs and the patient's keyed hash) and client address are checked on each record.
"""
import json
import os
import subprocess
import tempfile
import time
import unittest

import pydicom

import harness
from dimse_test import tool as dimse_tool
from api_client import sign_in_new_user
from audit_records import AuditReader, check_record, no_phi

PASSWORD = "correct-horse-battery-staple-9"
DATA = os.path.join(harness.PYDICOM_DATA, "test_files")
CT = os.path.join(DATA, "CT_small.dcm")
MR = os.path.join(DATA, "MR_small.dcm")


def tool(*args):
    return dimse_tool(*args, timeout=120)


class AuditDimseTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        cls.dest_port = harness.free_port()
        cls.arca.serve()
        otp = cls.arca.first_admin_password()
        cls.admin, _, _ = sign_in_new_user(cls.arca.http_port, "admin", otp, PASSWORD, set())
        for peer in ({"ae_title": "MODALITY", "host": "127.0.0.1",
                      "allow": ["store", "find", "get", "move"]},
                     {"ae_title": "DEST", "host": "127.0.0.1", "port": cls.dest_port,
                      "allow": ["receive"]}):
            status, body, _ = cls.admin.request("POST", "/api/v1/peers", peer)
            assert status == 201, body
        cls.mr = pydicom.dcmread(MR, stop_before_pixels=True)
        cls.trail = AuditReader(cls.admin)
        p = tool("storescu", "-aet", "MODALITY", "-aec", "ARCA", "127.0.0.1",
                 str(cls.arca.dicom_port), MR)
        assert p.returncode == 0, p.stdout
        cls.stored = cls.trail.new_records()
        cls.mr_patient = cls.trail.patient_hash(str(cls.mr.PatientID))

    @classmethod
    def tearDownClass(cls):
        cls.arca.cleanup()

    def dimse(self, *args):
        p = tool(*args, "127.0.0.1", str(self.arca.dicom_port))
        self.assertEqual(p.returncode, 0, p.stdout)
        return p

    def check_transfer(self, records):
        """transfer_begin then retrieve, both naming the MR study, instance and patient."""
        self.assertEqual([r["action"] for r in records], ["transfer_begin", "retrieve"], records)
        objects = dict(studies=[str(self.mr.StudyInstanceUID)],
                       instances=[str(self.mr.SOPInstanceUID)], patients=[self.mr_patient])
        check_record(self, records[0], actor="ae:MODALITY", action="transfer_begin",
                     outcome="success", detail="1 instances", **objects)
        check_record(self, records[1], actor="ae:MODALITY", action="retrieve",
                     outcome="success", **objects)
        no_phi(self, records, self.mr.PatientName, self.mr.PatientID)

    def test_c_store(self):
        self.assertEqual(len(self.stored), 1, self.stored)
        check_record(self, self.stored[0], actor="ae:MODALITY", tenant="default",
                     action="store", outcome="success", detail="stored",
                     studies=[str(self.mr.StudyInstanceUID)],
                     series=[str(self.mr.SeriesInstanceUID)],
                     instances=[str(self.mr.SOPInstanceUID)], patients=[self.mr_patient])
        no_phi(self, self.stored, self.mr.PatientName, self.mr.PatientID)

    def test_actor_filter_takes_ae_prefix_or_bare_ae_title(self):
        seq = self.stored[0]["seq"]
        for actor in ("ae:MODALITY", "MODALITY"):
            status, body, _ = self.admin.request(
                "GET", f"/api/v1/audit?actor={actor}&action=store&limit=1000")
            self.assertEqual(status, 200, body)
            self.assertIn(seq, [r["seq"] for r in body["records"]], actor)
        status, body, _ = self.admin.request("GET", "/api/v1/audit?actor=ae:DEST&action=store")
        self.assertEqual((status, body["records"]), (200, []))

    def test_c_find_records_the_result_count(self):
        self.trail.new_records()
        self.dimse("findscu", "-S", "-aet", "MODALITY", "-aec", "ARCA",
                   "-k", "QueryRetrieveLevel=STUDY",
                   "-k", f"StudyInstanceUID={self.mr.StudyInstanceUID}")
        records = self.trail.new_records()
        self.assertEqual(len(records), 1, records)
        check_record(self, records[0], actor="ae:MODALITY", action="query", outcome="success",
                     detail="study level, 1 results")

    def test_c_get(self):
        self.trail.new_records()
        with tempfile.TemporaryDirectory() as out:
            self.dimse("getscu", "-S", "-aet", "MODALITY", "-aec", "ARCA", "-od", out,
                       "-k", "QueryRetrieveLevel=STUDY",
                       "-k", f"StudyInstanceUID={self.mr.StudyInstanceUID}")
            self.assertEqual(len(os.listdir(out)), 1)
        self.check_transfer(self.trail.new_records())

    def test_c_move_to_a_peer(self):
        self.trail.new_records()
        with tempfile.TemporaryDirectory() as out:
            scp = subprocess.Popen(["storescp", "-aet", "DEST", "-od", out, str(self.dest_port)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                time.sleep(0.5)
                self.dimse("movescu", "-S", "-aet", "MODALITY", "-aec", "ARCA", "-aem", "DEST",
                           "-k", "QueryRetrieveLevel=STUDY",
                           "-k", f"StudyInstanceUID={self.mr.StudyInstanceUID}")
                self.assertEqual(len(os.listdir(out)), 1)
            finally:
                scp.terminate()
                scp.wait(timeout=10)
        self.check_transfer(self.trail.new_records())


class AuditConsoleTest(unittest.TestCase):
    """`arca import` and `arca export` record as the console's local operator."""

    def setUp(self):
        self.arca = harness.Arca()

    def tearDown(self):
        self.arca.cleanup()

    def trail(self):
        """The records as `arca audit export` writes them: the API's field names, with empty
        fields left out."""
        p = self.arca.run("audit", "export", "--format", "jsonl", check=0)
        records = [json.loads(line) for line in p.stdout.decode().splitlines()]
        for r in records:
            self.assertNotIn("client", r)
            self.assertNotIn("error", r)
            r.setdefault("client_address", "")
            r.setdefault("error_code", "")
        return records

    def test_import_and_export(self):
        ct = pydicom.dcmread(CT, stop_before_pixels=True)
        self.arca.run("import", CT, check=0)
        records = self.trail()
        self.assertEqual([r["action"] for r in records], ["store", "audit_read"], records)
        stored = records[0]
        check_record(self, stored, client_host=None, actor="local-operator", tenant="default",
                     action="store", outcome="success", detail="stored",
                     client_address="console", studies=[str(ct.StudyInstanceUID)],
                     series=[str(ct.SeriesInstanceUID)], instances=[str(ct.SOPInstanceUID)])
        self.assertEqual(len(stored["patients"]), 1)
        with tempfile.TemporaryDirectory() as out:
            self.arca.run("export", "--study", str(ct.StudyInstanceUID), "--out", out, check=0)
        records = self.trail()[len(records):]
        self.assertEqual([r["action"] for r in records],
                         ["transfer_begin", "export", "audit_read"], records)
        objects = dict(studies=[str(ct.StudyInstanceUID)], instances=[str(ct.SOPInstanceUID)],
                       patients=stored["patients"])
        for r, action in zip(records, ["transfer_begin", "export"]):
            check_record(self, r, client_host=None, actor="local-operator", action=action,
                         outcome="success", client_address="console", **objects)
        no_phi(self, records + [stored], ct.PatientName, ct.PatientID)


if __name__ == "__main__":
    harness.main()
