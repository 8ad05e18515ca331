#!/usr/bin/python3
"""`kill -9` of `arca serve` right after a burst of WADO-RS reads: every read that was answered
has its audit record afterwards, once, and the trail verifies (issue 6, docs/adr/0017). A read's
record is committed to the encrypted audit journal and moves into audit.db in the background,
so the records of the last reads before the kill are only in the journal: the next command that
opens the archive replays them (the log says so; the kill is repeated a few times if every
record happened to reach audit.db already).
"""
import json
import os
import signal
import threading
import unittest

import pydicom

import harness
from api_client import Client

CT = os.path.join(harness.PYDICOM_DATA, "test_files", "CT_small.dcm")
READS = 40
ROUNDS = 5


class AuditJournalCrashTest(unittest.TestCase):
    def setUp(self):
        self.arca = harness.Arca()
        self.arca.run("import", CT, check=0)
        self.arca.run("user", "add", "viewer", "--role", "radiologist", "--service-account",
                      check=0)
        self.token = self.arca.run("token", "create", "--user", "viewer", "--name", "viewer",
                                   "--permissions", "image.read",
                                   check=0).stdout.decode().strip()
        ds = pydicom.dcmread(CT, stop_before_pixels=True)
        self.path = (f"/dicom-web/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}"
                     f"/instances/{ds.SOPInstanceUID}")

    def tearDown(self):
        self.arca.cleanup()

    def burst(self):
        """READS reads from four clients; the request ids of those answered."""
        api = Client(self.arca.http_port, bearer=self.token)
        answered, lock = [], threading.Lock()

        def read(n):
            for _ in range(n):
                status, body, headers = api.request("GET", self.path, headers={
                    "Accept": 'multipart/related; type="application/dicom"; transfer-syntax=*'})
                self.assertEqual(status, 200)
                self.assertIn(b"DICM", body)
                with lock:
                    answered.append(headers["x-request-id"])
        threads = [threading.Thread(target=read, args=(READS // 4,)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return answered

    def crash_after_reads(self):
        self.arca.serve()
        answered = self.burst()
        self.arca.server.send_signal(signal.SIGKILL)
        self.arca.server.wait()
        self.arca.server = None
        return answered

    def exported(self):
        out = self.arca.run("audit", "export", "--format", "jsonl", check=0).stdout
        return [json.loads(line) for line in out.decode().splitlines() if line.strip()]

    def test_reads_answered_before_a_kill_are_all_in_the_trail(self):
        replayed = False
        for _ in range(ROUNDS):
            log_before = len(self.arca.log())
            answered = self.crash_after_reads()
            self.assertEqual(len(answered), READS)
            records = self.exported()
            replayed = replayed or "audit journal: replayed records" in self.arca.log()[log_before:]
            by_request = {}
            for r in records:
                if r["action"] == "retrieve" and r["outcome"] == "success":
                    by_request.setdefault(r["request_id"], []).append(r)
            for request_id in answered:
                self.assertEqual(len(by_request.get(request_id, [])), 1, request_id)
            seqs = [r["seq"] for r in records]
            self.assertEqual(seqs, list(range(1, len(seqs) + 1)))
            report = json.loads(self.arca.run("audit", "verify", "--json", check=0).stdout)
            self.assertTrue(report["intact"], report)
            if replayed:
                break
        self.assertTrue(replayed, "no kill left a record only in the journal\n" + self.arca.log())
        # No record of the journal is in the clear on disk.
        with open(os.path.join(self.arca.data_dir, "audit.journal"), "rb") as f:
            self.assertNotIn(b"retrieve", f.read())


if __name__ == "__main__":
    harness.main()
