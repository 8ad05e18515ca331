#!/usr/bin/python3
"""DIMSE under load and abuse, on 127.0.0.1: 32 associations served at once (the configured
maximum), 34 storescu in parallel next to a client stalled in the middle of a data set (all
34 complete, nothing lost), and C-STOREs whose data set is empty or missing, answered with a
failure status without crashing or blocking the server.
"""
import glob
import os
import struct
import subprocess
import tempfile
import time
import unittest

import pydicom

import dicom_pdu
import harness
from dimse_test import TEST_FILES, tool

CLIENTS = 34
PER_CLIENT = 3
CT_CONTEXTS = [(1, dicom_pdu.VERIFICATION, [dicom_pdu.IMPLICIT_LE]),
               (3, dicom_pdu.CT_IMAGE_STORAGE, [dicom_pdu.EXPLICIT_LE, dicom_pdu.IMPLICIT_LE])]


def stall_mid_data_set(port):
    """An association that sends a C-STORE-RQ and the first half of its data set, then waits."""
    a = dicom_pdu.Association(port, "LOAD", contexts=CT_CONTEXTS)
    assert a.accepted and 3 in a.accepted_contexts, a.result
    uid = pydicom.uid.generate_uid()
    a.send_pdv(3, dicom_pdu.command(dicom_pdu.C_STORE_RQ, dicom_pdu.CT_IMAGE_STORAGE, 1,
                                    dicom_pdu.DATA_SET_PRESENT, uid), True)
    a.send_pdv(3, b"\x08\x00\x16\x00UI\x1a\x00" + b"1" * 10, False, last=False)
    return a


def still_open(a):
    """True while the server keeps the (stalled) connection open."""
    a.sock.setblocking(False)
    try:
        return a.sock.recv(1, 0x02) != b""  # MSG_PEEK; data would also mean open
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        a.sock.setblocking(True)


class DimseLoadTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        cls.arca.run("peer", "add", "LOAD", "--host", "127.0.0.1", "--allow", "store,find",
                     check=0)
        cls.arca.serve()

    @classmethod
    def tearDownClass(cls):
        cls.arca.cleanup()

    def setUp(self):
        self.held = []

    def tearDown(self):
        for a in self.held:
            a.close()

    def make_studies(self, count):
        """`count` studies of PER_CLIENT CT instances each, one folder per study."""
        folders = []
        for _ in range(count):
            folder = tempfile.mkdtemp(dir=self.arca.root)
            study, series = pydicom.uid.generate_uid(), pydicom.uid.generate_uid()
            for i in range(PER_CLIENT):
                ds = pydicom.dcmread(os.path.join(TEST_FILES, "CT_small.dcm"))
                ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
                ds.SOPInstanceUID = pydicom.uid.generate_uid()
                ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
                ds.save_as(os.path.join(folder, f"{i}.dcm"))
            folders.append((study, folder))
        return folders

    def stored_counts(self, studies):
        """{study UID: NumberOfStudyRelatedInstances} as C-FIND reports them."""
        with tempfile.TemporaryDirectory() as out:
            p = tool("findscu", "-S", "-aet", "LOAD", "-aec", "ARCA", "-X", "-od", out,
                     "-k", "QueryRetrieveLevel=STUDY", "-k",
                     "StudyInstanceUID=" + "\\".join(studies),
                     "-k", "NumberOfStudyRelatedInstances", "127.0.0.1",
                     str(self.arca.dicom_port))
            self.assertEqual(p.returncode, 0, p.stdout)
            return {str(r.StudyInstanceUID): int(r.NumberOfStudyRelatedInstances)
                    for r in (pydicom.dcmread(f) for f in glob.glob(os.path.join(out, "*")))}

    def test_32_associations_at_once(self):
        port = self.arca.dicom_port
        # 30 idle associations and one stalled mid data set hold 31 of the 32 workers...
        for _ in range(30):
            a = dicom_pdu.Association(port, "LOAD")
            self.held.append(a)
            self.assertTrue(a.accepted, a.result)
        self.held.append(stall_mid_data_set(port))
        # ...and every one of them is still being served: each idle one answers an echo.
        for a in self.held[:30]:
            self.assertEqual(a.echo(), 0)
        # The 32nd is served at once too.
        (study, folder), = self.make_studies(1)
        start = time.time()
        p = tool("storescu", "-ta", "20", "-aet", "LOAD", "-aec", "ARCA", "127.0.0.1", str(port),
                 *sorted(glob.glob(os.path.join(folder, "*.dcm"))))
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertLess(time.time() - start, 20)
        self.assertTrue(all(still_open(a) for a in self.held))
        for a in self.held[:30]:
            self.assertTrue(a.release())
        self.assertEqual(self.stored_counts([study]), {study: PER_CLIENT})

    def test_many_parallel_stores_next_to_a_stalled_client(self):
        port = self.arca.dicom_port
        stalled = stall_mid_data_set(port)
        self.held.append(stalled)
        studies = self.make_studies(CLIENTS)
        start = time.time()
        procs = [subprocess.Popen(["storescu", "-aet", "LOAD", "-aec", "ARCA", "127.0.0.1",
                                   str(port), *sorted(glob.glob(os.path.join(f, "*.dcm")))],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                 for _, f in studies]
        outputs = [p.communicate(timeout=120)[0] for p in procs]
        elapsed = time.time() - start
        for p, out in zip(procs, outputs):
            self.assertEqual(p.returncode, 0, out)
        # Far below the 120 s DIMSE timeout that would eventually free the stalled worker.
        self.assertLess(elapsed, 60)
        self.assertTrue(still_open(stalled), "the stalled client was cut, so it blocked nobody")
        counts = self.stored_counts([s for s, _ in studies])
        self.assertEqual(counts, {s: PER_CLIENT for s, _ in studies})

    def store_status(self, data_set_type, data=None):
        """C-STORE-RQ then (if `data` is not None) a last data fragment holding `data`;
        returns the response status, or None if the server ended the association."""
        a = dicom_pdu.Association(self.arca.dicom_port, "LOAD", contexts=CT_CONTEXTS)
        self.held.append(a)
        self.assertTrue(a.accepted)
        a.send_pdv(3, dicom_pdu.command(dicom_pdu.C_STORE_RQ, dicom_pdu.CT_IMAGE_STORAGE, 7,
                                        data_set_type, pydicom.uid.generate_uid()), True)
        if data is not None:
            a.send_pdv(3, data, False)
        try:
            rsp = a.read_command()
        except (ConnectionError, OSError):
            return None, a
        self.assertEqual(struct.unpack("<H", rsp[(0, 0x0120)])[0], 7)  # MessageIDBeingRespondedTo
        return struct.unpack("<H", rsp[(0, 0x0900)])[0], a

    def test_empty_data_set_is_refused_with_a_failure_status(self):
        start = time.time()
        status, a = self.store_status(dicom_pdu.DATA_SET_PRESENT, b"")
        self.assertIsNotNone(status, "association dropped instead of a C-STORE response")
        self.assertGreaterEqual(status, 0xA000, hex(status))  # a failure, not success/warning
        self.assertEqual(a.echo(1, 8), 0)  # the association is still usable
        self.assertTrue(a.release())
        self.assertLess(time.time() - start, 10)
        self.assertIsNone(self.arca.server.poll(), "server died")

    def test_store_request_without_a_data_set_does_not_block(self):
        start = time.time()
        status, a = self.store_status(dicom_pdu.NO_DATA_SET)
        # A protocol violation: a failure status or an abort are both fine, a hang is not.
        if status is not None:
            self.assertGreaterEqual(status, 0xA000, hex(status))
        self.assertLess(time.time() - start, 10)
        self.assertIsNone(self.arca.server.poll(), "server died")
        p = tool("echoscu", "-aet", "LOAD", "-aec", "ARCA", "127.0.0.1",
                 str(self.arca.dicom_port))
        self.assertEqual(p.returncode, 0, p.stdout)


if __name__ == "__main__":
    harness.main()
