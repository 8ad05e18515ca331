#!/usr/bin/python3
"""The audit trail end to end: `arca import` records one chained record per object; `arca audit
verify` passes on the untouched log and names the record for each kind of tampering done
directly in the encrypted audit file audit.db (edit, delete, insert, reorder, truncate); `arca audit export`
writes every record as JSON lines without a patient name or id in clear, and as DICOM Audit
Messages that validate against the shipped schema."""
import json
import os
import re
import socket
import ssl
import subprocess
import threading
import time
import unittest

import pydicom

import harness

FILES = ["CT_small.dcm", "MR_small.dcm", "SC_rgb_rle.dcm", "waveform_ecg.dcm", "JPEG2000.dcm"]
INDEX_SQL = os.environ.get("ARCA_INDEX_SQL")
SCHEMA = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "formats",
                      "dicom-audit-message.rng")
COLUMNS = ("time_ms, actor, tenant, action, outcome, error_code, detail, patients, studies, "
           "series, instances, client_address, user_agent, request_id, prev_hash, hash")


class AuditTest(unittest.TestCase):
    def setUp(self):
        self.arca = harness.Arca()
        self.config = os.path.join(self.arca.root, "arca.toml")
        with open(self.config, "w") as f:
            f.write("[audit]\ncheckpoint_records = 2\n")
        self.paths = [os.path.join(harness.PYDICOM_DATA, "test_files", f) for f in FILES]
        # One worker: one commit, so one record, per object; checkpoints then fall at records
        # 2 and 4 and when the import closes (parallel workers may share a single commit).
        self.arca.run("import", "--config", self.config, "--jobs", "1", *self.paths, check=0)

    def tearDown(self):
        self.arca.cleanup()

    def verify(self, rc):
        p = self.arca.run("audit", "verify", "--json", check=rc)
        return json.loads(p.stdout)

    def tamper(self, sql):
        subprocess.run([INDEX_SQL, "--key-file", self.arca.key_file, "--db",
                        os.path.join(self.arca.data_dir, "audit.db"),
                        "DROP TRIGGER IF EXISTS audit_records_append_only_update;"
                        "DROP TRIGGER IF EXISTS audit_records_append_only_delete;" + sql],
                       check=True)

    def assert_break(self, seq, kind):
        report = self.verify(1)
        self.assertFalse(report["intact"])
        self.assertEqual(report["break"]["seq"], seq, report)
        self.assertEqual(report["break"]["kind"], kind, report)
        p = self.arca.run("audit", "verify", check=1)
        self.assertIn(f"BROKEN at record {seq}".encode(), p.stderr)

    def test_untouched_log_verifies_clean(self):
        report = self.verify(0)
        self.assertEqual((report["intact"], report["records"], report["head"]), (True, 5, 5))
        self.assertEqual(report["checkpoints"], 3)
        p = self.arca.run("audit", "verify", check=0)
        self.assertIn(b"audit trail intact: 5 records", p.stdout)

    def test_prune_keeps_records_younger_than_the_retention(self):
        p = self.arca.run("audit", "prune", "--json", check=0)
        self.assertEqual(json.loads(p.stdout)["removed"], 0)
        self.assertEqual(self.verify(0)["records"], 5)

    def test_edited_record_is_named(self):
        self.tamper("UPDATE audit_records SET actor = 'user:someone-else' WHERE seq = 3")
        self.assert_break(3, "edited")

    def test_deleted_record_is_named(self):
        self.tamper("DELETE FROM audit_records WHERE seq = 2")
        self.assert_break(2, "missing")

    def test_inserted_record_is_named(self):
        self.tamper("UPDATE audit_records SET seq = -seq WHERE seq >= 3;"
                    "UPDATE audit_records SET seq = 1 - seq WHERE seq < 0;"
                    f"INSERT INTO audit_records (seq, {COLUMNS}) "
                    f"SELECT 3, {COLUMNS} FROM audit_records WHERE seq = 2")
        self.assert_break(3, "edited")

    def test_reordered_records_are_named(self):
        self.tamper("UPDATE audit_records SET seq = 100 WHERE seq = 2;"
                    "UPDATE audit_records SET seq = 2 WHERE seq = 3;"
                    "UPDATE audit_records SET seq = 3 WHERE seq = 100")
        self.assert_break(2, "edited")

    def test_truncated_log_is_named(self):
        self.tamper("DELETE FROM audit_records WHERE seq > 3")
        self.assert_break(4, "truncated")

    def test_an_archive_with_its_trail_in_the_index_is_moved_and_verifies(self):
        audit_db = os.path.join(self.arca.data_dir, "audit.db")
        index_db = os.path.join(self.arca.data_dir, "index.db")
        before = self.arca.run("audit", "export", "--format", "jsonl", check=0).stdout
        before = [json.loads(line) for line in before.decode().splitlines()]
        # As archives made before audit.db existed: the trail's tables in index.db only.
        subprocess.run([INDEX_SQL, "--key-file", self.arca.key_file, "--db", index_db,
                        "--legacy-audit"], check=True)
        self.assertFalse(os.path.exists(audit_db))
        report = self.verify(0)  # opening moves the trail back into audit.db
        self.assertTrue(os.path.exists(audit_db))
        self.assertEqual((report["intact"], report["records"]), (True, len(before)))
        after = self.arca.run("audit", "export", "--format", "jsonl", check=0).stdout
        after = [json.loads(line) for line in after.decode().splitlines()]
        self.assertEqual(after[:len(before)], before)  # every record, unchanged
        # The index no longer holds them: editing them there is impossible.
        p = subprocess.run([INDEX_SQL, "--key-file", self.arca.key_file, "--db", index_db,
                            "SELECT count(*) FROM audit_records"], capture_output=True)
        self.assertNotEqual(p.returncode, 0)
        self.arca.run("import", "--config", self.config, self.paths[0], check=0)
        self.assertTrue(self.verify(0)["intact"])

    def test_appending_more_continues_the_chain(self):
        self.arca.run("import", "--config", self.config, self.paths[0], check=0)  # duplicate
        report = self.verify(0)
        self.assertEqual(report["records"], 6)

    def test_audit_settings_are_checked_and_the_benchmark_switch_records_nothing(self):
        bad = os.path.join(self.arca.root, "bad.toml")
        with open(bad, "w") as f:
            f.write("[audit]\non_failure = \"ignore\"\n")
        p = self.arca.run("audit", "verify", "--config", bad, check=2)
        self.assertIn(b"on_failure", p.stderr)
        with open(bad, "w") as f:
            f.write("[audit]\nsync_interval_ms = -1\n")
        p = self.arca.run("audit", "verify", "--config", bad, check=2)
        self.assertIn(b"sync_interval_ms", p.stderr)
        off = os.path.join(self.arca.root, "off.toml")
        with open(off, "w") as f:
            f.write("[audit]\noff_benchmark_only = true\n")
        self.arca.run("import", "--config", off, self.paths[0], check=0)
        self.assertEqual(self.verify(0)["records"], 5)

    def test_export_is_complete_and_phi_free(self):
        p = self.arca.run("audit", "export", "--format", "jsonl", check=0)
        lines = [json.loads(line) for line in p.stdout.decode().splitlines()]
        # The five stores, then the export itself (recorded before anything is written).
        self.assertEqual([r["seq"] for r in lines], [1, 2, 3, 4, 5, 6])
        self.assertTrue(all(r["action"] == "store" and r["outcome"] == "success"
                            for r in lines[:5]))
        self.assertEqual(lines[5]["action"], "audit_read")
        for i in range(1, 6):
            self.assertEqual(lines[i]["prev_hash"], lines[i - 1]["hash"])
        for path in self.paths:
            ds = pydicom.dcmread(path, stop_before_pixels=True)
            for value in (str(ds.get("PatientName", "")), str(ds.get("PatientID", ""))):
                if len(value) >= 3:
                    self.assertNotIn(value.encode(), p.stdout, value)
        none = self.arca.run("audit", "export", "--from", "2000-01-01", "--to", "2000-01-02",
                             check=0)
        self.assertEqual(none.stdout, b"")

    def test_dicom_export_validates_against_the_shipped_schema(self):
        p = self.arca.run("audit", "export", "--format", "dicom", check=0)
        messages = p.stdout.decode().splitlines()
        self.assertEqual(len(messages), 6)
        for message in messages:
            v = subprocess.run(["xmllint", "--noout", "--relaxng", SCHEMA, "-"],
                               input=message.encode(), capture_output=True)
            self.assertEqual(v.returncode, 0, v.stderr.decode() + message)
        self.assertTrue(all('csd-code="110104"' in m for m in messages[:5]))
        self.assertIn('csd-code="110101"', messages[5])  # Audit Log Used


class SyslogReceiver:
    """A TLS syslog collector on loopback (RFC 5425 octet-counted frames), in a thread."""

    def __init__(self, root, port):
        self.cert = os.path.join(root, "collector.crt")
        self.key = os.path.join(root, "collector.key")
        if not os.path.exists(self.cert):
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days",
                            "1", "-subj", "/CN=collector", "-addext",
                            "subjectAltName=IP:127.0.0.1", "-keyout", self.key, "-out",
                            self.cert], check=True, capture_output=True)
        self.port = port
        self.messages = []
        self.lock = threading.Lock()

    def start(self):
        self.stopping = False
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, self.key)
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen()
        self.listener.settimeout(0.2)
        self.thread = threading.Thread(target=self.serve, args=(ctx,), daemon=True)
        self.thread.start()

    def serve(self, ctx):
        while not self.stopping:
            try:
                conn, _ = self.listener.accept()
            except socket.timeout:
                continue
            try:
                tls = ctx.wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError):
                conn.close()  # a client that does not trust this collector
                continue
            with tls:
                buffer = b""
                while True:
                    data = tls.recv(65536)
                    if not data:
                        break
                    buffer += data
                    while b" " in buffer:
                        length, rest = buffer.split(b" ", 1)
                        if len(rest) < int(length):
                            break
                        with self.lock:
                            self.messages.append(rest[:int(length)].decode())
                        buffer = rest[int(length):]

    def stop(self):
        self.stopping = True
        self.thread.join()
        self.listener.close()

    def wait_for(self, n, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if len(self.messages) >= n:
                    return list(self.messages)
            time.sleep(0.1)
        with self.lock:
            return list(self.messages)


class AuditSyslogTest(unittest.TestCase):
    """Forwarding to a TLS syslog collector: while it is down records stay queued (across
    restarts of arca), and once it is back every record arrives, in order, exactly once."""

    def setUp(self):
        self.arca = harness.Arca()
        self.receiver = SyslogReceiver(self.arca.root, harness.free_port())
        self.config = os.path.join(self.arca.root, "arca.toml")
        with open(self.config, "w") as f:
            f.write(f"[audit.syslog]\nhost = \"127.0.0.1\"\nport = {self.receiver.port}\n"
                    f"ca_file = \"{self.receiver.cert}\"\n")
        self.paths = [os.path.join(harness.PYDICOM_DATA, "test_files", f) for f in FILES]

    def tearDown(self):
        self.arca.cleanup()

    def test_collector_down_then_back_loses_nothing(self):
        self.arca.run("import", "--config", self.config, *self.paths[:2], check=0)
        self.arca.run("import", "--config", self.config, self.paths[2], check=0)
        cursor = os.path.join(self.arca.data_dir, "audit-syslog.cursor")
        self.assertFalse(os.path.exists(cursor))
        self.receiver.start()
        try:
            self.arca.run("import", "--config", self.config, self.paths[3], check=0)
            messages = self.receiver.wait_for(4)
        finally:
            self.receiver.stop()
        seqs = [int(re.search(r'seq="(\d+)"', m).group(1)) for m in messages]
        self.assertEqual(seqs, [1, 2, 3, 4], messages)
        for m in messages:
            self.assertTrue(m.startswith("<86>1 "), m)
            self.assertIn("arca - store [arcaAudit@32473", m)
            record = json.loads(m[m.index("{"):])
            self.assertEqual(record["action"], "store")
        with open(cursor) as f:
            self.assertEqual(f.read(), "4")

    def test_wrong_collector_certificate_is_refused(self):
        other = SyslogReceiver(os.path.join(self.arca.root), self.receiver.port)
        other.cert = os.path.join(self.arca.root, "other.crt")
        other.key = os.path.join(self.arca.root, "other.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=impostor", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", other.key, "-out", other.cert], check=True,
                       capture_output=True)
        other.start()
        try:
            self.arca.run("import", "--config", self.config, self.paths[0], check=0)
        finally:
            other.stop()
        self.assertEqual(other.messages, [])
        self.assertFalse(os.path.exists(os.path.join(self.arca.data_dir, "audit-syslog.cursor")))
        with open(self.arca.log_path, "rb") as log:
            self.assertIn(b"audit syslog", log.read())


if __name__ == "__main__":
    if not INDEX_SQL:
        raise SystemExit("ARCA_INDEX_SQL (the arca_index_sql tool) is not set")
    harness.main()
