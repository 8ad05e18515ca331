#!/usr/bin/python3
"""Issue 3's acceptance over DIMSE: DCMTK's storescu sends the whole pydicom corpus (test_files
and charset_files, one association per file, each in its own transfer syntax) and a benchmark
dataset (../shared/bench/make-dataset.py) to `arca serve`; getscu fetches everything back.

- Every file storescu can send is stored, except one whose SOP Instance UID an earlier file
  already holds with other content: that one is refused with 0111 (Duplicate SOP Instance),
  and resending identical content succeeds. No other refusal, and the server stays up.
- What getscu retrieves is, data set byte for byte, what went over the wire (storescp
  --bit-preserving receives the same sends as the oracle), for the first content of each UID.
"""
import glob
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

import pydicom

import harness
from dimse_test import PROPOSE, dataset_bytes, tool

CORPUS = (sorted(glob.glob(os.path.join(harness.PYDICOM_DATA, "test_files", "*.dcm"))) +
          sorted(glob.glob(os.path.join(harness.PYDICOM_DATA, "charset_files", "*.dcm"))))
STATUS = re.compile(r"Received Store Response \(([^)]*)\)")
# getscu's option accepting a stored transfer syntax for its incoming C-STORE sub-operations.
ACCEPT = {"1.2.840.10008.1.2": "+xi", "1.2.840.10008.1.2.1": "+xe", "1.2.840.10008.1.2.2": "+xb",
          "1.2.840.10008.1.2.1.99": "+xd", "1.2.840.10008.1.2.4.50": "+xy",
          "1.2.840.10008.1.2.4.51": "+xx", "1.2.840.10008.1.2.4.70": "+xs",
          "1.2.840.10008.1.2.4.80": "+xt", "1.2.840.10008.1.2.4.81": "+xu",
          "1.2.840.10008.1.2.4.90": "+xv", "1.2.840.10008.1.2.4.91": "+xw",
          "1.2.840.10008.1.2.5": "+xr"}


def propose_option(path):
    try:
        meta = pydicom.dcmread(path, stop_before_pixels=True, force=True).file_meta
        return PROPOSE.get(str(meta.get("TransferSyntaxUID", "")), "-x=")
    except Exception:  # noqa: BLE001 - unreadable for pydicom: let storescu decide
        return "-x="


def send(path, called, port):
    """storescu of one file: (status text or None if storescu could not send it, output)."""
    p = tool("storescu", "-v", "-R", propose_option(path), "-aet", "CORPUS", "-aec", called,
             "127.0.0.1", str(port), path)
    out = p.stdout.decode(errors="replace")
    m = STATUS.search(out)
    return (m.group(1) if m else None), out


class Oracle:
    """storescp --bit-preserving: the data set bytes storescu puts on the wire for each send."""

    def __init__(self, root):
        self.dir = tempfile.mkdtemp(dir=root)
        self.port = harness.free_port()
        self.proc = subprocess.Popen(["storescp", "+xa", "-B", "-od", self.dir, "-aet", "ORACLE",
                                      str(self.port)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        time.sleep(0.5)

    def wire_bytes(self, path):
        """(SOP Instance UID, data set bytes, (study, series, transfer syntax)) as sent, or None
        if storescu could not send the file."""
        status, out = send(path, "ORACLE", self.port)
        received = glob.glob(os.path.join(self.dir, "*"))
        if status != "Success":
            assert not received, out
            return None
        assert len(received) == 1, received
        ds = pydicom.dcmread(received[0], stop_before_pixels=True)
        location = (str(ds.StudyInstanceUID), str(ds.SeriesInstanceUID),
                    str(ds.file_meta.TransferSyntaxUID))
        data = dataset_bytes(received[0])
        os.remove(received[0])
        return str(ds.SOPInstanceUID), data, location

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class DimseCorpusTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        cls.arca.run("peer", "add", "CORPUS", "--host", "127.0.0.1", "--allow", "store,find,get",
                     check=0)
        cls.addClassCleanup(cls.arca.cleanup)
        cls.arca.serve()
        cls.oracle = Oracle(cls.arca.root)
        cls.addClassCleanup(cls.oracle.close)  # runs first, and also if setUpClass fails

    def store_all(self, files):
        """Sends each file to the oracle then to Arca; checks each outcome; returns
        {uid: data set bytes} of what Arca holds."""
        held, unsendable = {}, []
        self.location, self.conflicts = {}, []
        for path in files:
            name = os.path.basename(path)
            wire = self.oracle.wire_bytes(path)
            status, out = send(path, "ARCA", self.arca.dicom_port)
            if wire is None:
                self.assertIsNone(status, f"{name}: the oracle got nothing, Arca got a store")
                unsendable.append(name)
                continue
            uid, data, location = wire
            if uid not in held or held[uid] == data:
                self.assertEqual(status, "Success", f"{name}:\n{out[-1500:]}")
                held.setdefault(uid, data)
                self.location.setdefault(uid, location)
            else:
                self.assertEqual(status, "Unknown Status: 0x111", f"{name}: {status}")
                self.conflicts.append(name)
        self.assertEqual(tool("echoscu", "-aet", "CORPUS", "-aec", "ARCA", "127.0.0.1",
                              str(self.arca.dicom_port)).returncode, 0)
        return held, unsendable

    def get_all(self, held):
        """getscu of each instance of `held`, accepting its stored transfer syntax (so it comes
        back as stored): {uid: data set bytes} retrieved."""
        got = {}
        for uid in sorted(held):
            study, series, syntax = self.location[uid]
            out = tempfile.mkdtemp(dir=self.arca.root)
            p = tool("getscu", "-v", "-S", "+B", ACCEPT.get(syntax, "+x="), "-aet", "CORPUS",
                     "-aec", "ARCA", "-od", out, "-k", "QueryRetrieveLevel=IMAGE",
                     "-k", f"StudyInstanceUID={study}", "-k", f"SeriesInstanceUID={series}",
                     "-k", f"SOPInstanceUID={uid}", "127.0.0.1", str(self.arca.dicom_port))
            received = glob.glob(os.path.join(out, "*"))
            self.assertEqual((p.returncode, len(received)), (0, 1),
                             f"{uid}:\n" + p.stdout.decode(errors="replace")[-2000:])
            got[uid] = dataset_bytes(received[0])
            shutil.rmtree(out)
        return got

    def check_round_trip(self, files):
        held, unsendable = self.store_all(files)
        got = self.get_all(held)
        self.assertEqual(sorted(got), sorted(held))
        for uid, data in held.items():
            self.assertEqual(got[uid], data, uid)
        return held, unsendable

    def test_whole_pydicom_corpus(self):
        held, unsendable = self.check_round_trip(CORPUS)
        # The corpus's files without meta information or SOP UIDs cannot be sent by storescu at
        # all; everything else reached Arca. Guard against a corpus that shrank under the test.
        self.assertGreater(len(CORPUS), 80)
        self.assertGreaterEqual(len(held), 45)  # distinct SOP Instance UIDs (Debian 12 pydicom)
        self.assertLess(len(unsendable), 20, unsendable)
        # The corpus re-encodes some objects under the same SOP Instance UID (MR_small in five
        # syntaxes, rtdose variants): those met the duplicate rule.
        self.assertIn("MR_small_bigendian.dcm", self.conflicts)

    def test_benchmark_dataset(self):
        data = tempfile.mkdtemp(dir=self.arca.root)
        subprocess.run(["/usr/bin/python3", os.path.join(harness.SHARED_BENCH, "make-dataset.py"),
                        data, "--studies", "1", "--series", "2", "--instances", "10",
                        "--rows", "256", "--cols", "256", "--jobs", "1", "--force"],
                       check=True, stdout=subprocess.DEVNULL, timeout=300)
        files = sorted(glob.glob(os.path.join(data, "**", "*.dcm"), recursive=True))
        self.assertEqual(len(files), 20)
        held, unsendable = self.check_round_trip(files)
        self.assertEqual((len(held), unsendable), (20, []))


if __name__ == "__main__":
    harness.main()
