#!/usr/bin/python3
"""A read whose audit record cannot be written sends nothing of the object (issue 6, fail
closed: the record is committed before the object is handed to the transport, docs/adr/0013, 0016).
Here the trail refuses the record for real: another writer appends to audit.db
behind the running server's back (as an insider with the key could), so the server's next
append no longer continues the head and fails. Records commit to the audit journal first and
move into audit.db in the background (docs/adr/0017): the failure is seen by the next move,
within one flush interval, and from then on records are refused. WADO-RS instance, frames and
WADO-URI are then answered 503 with no DICOM byte; with `[audit] on_failure = "alert"` the same
reads get their bytes and the log its ALERT.
"""
import os
import subprocess
import threading
import time
import unittest

import pydicom

import harness
from api_client import Client

INDEX_SQL = os.environ.get("ARCA_INDEX_SQL")
CT = os.path.join(harness.PYDICOM_DATA, "test_files", "CT_small.dcm")
# A copy of the head record as the next one: the server's chain head is then stale.
NEXT_RECORD = ("INSERT INTO audit_records SELECT seq + 1, time_ms, actor, tenant, action, "
               "outcome, error_code, detail, patients, studies, series, instances, "
               "client_address, user_agent, request_id, prev_hash, hash FROM audit_records "
               "ORDER BY seq DESC LIMIT 1")


class ReadFailClosedTest(unittest.TestCase):
    def start(self, config):
        self.arca = harness.Arca()
        path = os.path.join(self.arca.root, "arca.toml")
        with open(path, "w") as f:
            f.write(config)
        self.arca.run("import", "--config", path, CT, check=0)
        self.arca.run("user", "add", "viewer", "--role", "radiologist", "--service-account",
                      check=0)
        token = self.arca.run("token", "create", "--user", "viewer", "--name", "viewer",
                              "--permissions", "image.read", check=0).stdout.decode().strip()
        self.arca.serve(["--config", path])
        self.api = Client(self.arca.http_port, bearer=token)
        ds = pydicom.dcmread(CT, stop_before_pixels=True)
        self.uids = (str(ds.StudyInstanceUID), str(ds.SeriesInstanceUID), str(ds.SOPInstanceUID))

    def tearDown(self):
        self.arca.cleanup()

    def reads(self):
        study, series, sop = self.uids
        base = f"/dicom-web/studies/{study}/series/{series}/instances/{sop}"
        return {
            "instance": self.api.request("GET", base, headers={
                "Accept": 'multipart/related; type="application/dicom"; transfer-syntax=*'}),
            "frames": self.api.request("GET", base + "/frames/1", headers={
                "Accept": "multipart/related; type=application/octet-stream"}),
            "wado-uri": self.api.request(
                "GET", f"/wado?requestType=WADO&studyUID={study}&seriesUID={series}"
                       f"&objectUID={sop}&contentType=application/dicom&transferSyntax=*"),
        }

    def break_the_trail(self):
        subprocess.run([INDEX_SQL, "--key-file", self.arca.key_file, "--db",
                        os.path.join(self.arca.data_dir, "audit.db"), NEXT_RECORD], check=True)

    def log(self):
        with open(self.arca.log_path, "rb") as f:
            return f.read()

    def until_refused(self, message):
        """Reads until the journal has seen audit.db refuse its records (each read before that
        is audited in the journal)."""
        deadline = time.monotonic() + 10
        while message not in self.log():
            self.assertLess(time.monotonic(), deadline, "the audit failure was never noticed")
            self.reads()
            time.sleep(0.05)

    def test_nothing_of_the_object_leaves_when_its_record_fails(self):
        self.start("")
        for name, (status, body, _) in self.reads().items():
            self.assertEqual(status, 200, name)
        self.assertIn(b"DICM", self.reads()["instance"][1])
        self.break_the_trail()
        self.until_refused(b"audit record failed")
        for name, (status, body, _) in self.reads().items():
            self.assertEqual(status, 503, name)
            raw = body if isinstance(body, bytes) else repr(body).encode()
            self.assertNotIn(b"DICM", raw, name)
            self.assertLess(len(raw), 1000, name)
        self.assertIn(b"audit record failed", self.log())
        # Concurrent reads: some find the recorder busy and get their object behind the gate
        # (the record still in flight when the handler runs); none may get a byte of it.
        replies, lock = [], threading.Lock()

        def read_many():
            for _ in range(5):
                reply = self.reads()["instance"]
                with lock:
                    replies.append(reply)
        threads = [threading.Thread(target=read_many) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(len(replies), 20)
        for status, body, _ in replies:
            self.assertEqual(status, 503)
            self.assertNotIn(b"DICM", body if isinstance(body, bytes) else b"")

    def test_a_fail_open_site_gets_its_bytes_and_an_alert(self):
        self.start('[audit]\non_failure = "alert"\n')
        self.break_the_trail()
        self.until_refused(b"ALERT audit trail unavailable")
        replies = self.reads()
        for name, (status, body, _) in replies.items():
            self.assertEqual(status, 200, name)
        self.assertIn(b"DICM", replies["instance"][1])
        self.assertIn(b"DICM", replies["wado-uri"][1])
        self.assertIn(b"ALERT audit trail unavailable", self.log())


if __name__ == "__main__":
    if not INDEX_SQL:
        raise SystemExit("ARCA_INDEX_SQL (the arca_index_sql tool) is not set")
    harness.main()
