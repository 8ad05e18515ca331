#!/usr/bin/python3
"""Open storage: with `arca tenant set T --open-storage on`, a DICOM peer that is not configured
may C-STORE into tenant T and do nothing else (no C-FIND, C-MOVE, C-GET); only one tenant may
have it; without it an unknown AE is rejected (tests/e2e/dimse_test.py)."""
import glob
import os
import tempfile
import unittest

import pydicom

import harness
from dimse_test import tool

CT = os.path.join(harness.PYDICOM_DATA, "test_files", "CT_small.dcm")



class OpenStorageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        cls.arca.run("tenant", "add", "walkin", check=0)
        cls.arca.run("tenant", "add", "other", check=0)
        cls.arca.run("tenant", "set", "walkin", "--open-storage", "on", check=0)
        cls.second = cls.arca.run("tenant", "set", "other", "--open-storage", "on")
        cls.arca.run("peer", "add", "READER", "--host", "127.0.0.1", "--tenant", "walkin",
                     "--allow", "find", check=0)
        cls.arca.run("peer", "add", "DEFAULTREADER", "--host", "127.0.0.1", "--allow", "find",
                     check=0)
        cls.arca.serve()

    @classmethod
    def tearDownClass(cls):
        cls.arca.cleanup()

    def find(self, aet):
        with tempfile.TemporaryDirectory() as out:
            p = tool("findscu", "-v", "-S", "-aet", aet, "-aec", "ARCA", "-X", "-od", out,
                     "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID",
                     "127.0.0.1", str(self.arca.dicom_port))
            rsp = [pydicom.dcmread(f) for f in glob.glob(os.path.join(out, "rsp*.dcm"))]
        return p, rsp

    def test_only_one_tenant_may_have_open_storage(self):
        self.assertEqual(self.second.returncode, 1)
        self.assertIn(b"already has open storage", self.second.stderr)

    def test_unknown_ae_stores_into_the_open_tenant_only(self):
        p = tool("storescu", "-aet", "WALKINCT", "-aec", "ARCA", "127.0.0.1",
                 str(self.arca.dicom_port), CT)
        self.assertEqual(p.returncode, 0, p.stdout)
        uid = str(pydicom.dcmread(CT, stop_before_pixels=True).StudyInstanceUID)
        _, rsp = self.find("READER")
        self.assertEqual([str(r.StudyInstanceUID) for r in rsp], [uid])
        _, rsp = self.find("DEFAULTREADER")
        self.assertEqual(rsp, [])

    def test_unknown_ae_may_not_query(self):
        p, rsp = self.find("WALKINCT")
        # Refused: Not Authorized (0124H, PS3.7 C.5.3); findscu itself exits 0.
        self.assertIn(b"Status: 0x124", p.stdout)
        self.assertEqual(rsp, [])


if __name__ == "__main__":
    harness.main()
