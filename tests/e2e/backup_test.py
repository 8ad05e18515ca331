#!/usr/bin/python3
"""Backups end to end (docs/adr/0019-backup-and-restore.md): `arca backup create` of an archive
holding pydicom corpus files, `verify`, `list`, `keys`; each kind of damage reported (a tampered
manifest, a flipped byte in a blob, a missing file, an added file, no manifest, a wrong root
key); bad destinations refused; `arca restore` into a new directory that `arca serve` then
serves bit for bit; the backup and restore audit records, and the restored trail verifying;
no corpus patient name or id anywhere in a backup."""
import io
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import unittest
from datetime import datetime, timedelta, timezone

import pydicom

import harness
from api_client import Client, sign_in_new_user

FIRST = ["CT_small.dcm", "MR_small.dcm"]
LATER = "SC_rgb_rle.dcm"  # imported after the early key export: its patient's key is not in it


def path(name):
    return os.path.join(harness.PYDICOM_DATA, "test_files", name)


def audit_records(arca, archive_flags=None):
    cmd = [harness.ARCA, "audit", "export", *(archive_flags or arca.flags())]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
    return [json.loads(line) for line in p.stdout.decode().splitlines()]


def read(file):
    with open(file, "rb") as f:
        return f.read()


def flip_byte(file, offset):
    with open(file, "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ 0x01]))


class BackupTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        cls.work = tempfile.mkdtemp(prefix="arca-backup-e2e-")
        cls.arca.run("import", *[path(n) for n in FIRST], check=0)
        cls.early_keys = os.path.join(cls.work, "vault-early.keys")
        cls.arca.run("backup", "keys", "--to", cls.early_keys, check=0)
        cls.arca.run("import", path(LATER), check=0)
        cls.backup = os.path.join(cls.work, "nightly", "b1")
        p = cls.arca.run("backup", "create", "--to", cls.backup, "--json", check=0)
        cls.created = json.loads(p.stdout)
        cls.keys = os.path.join(cls.work, "vault.keys")
        cls.arca.run("backup", "keys", "--to", cls.keys, check=0)
        cls.ds = {n: pydicom.dcmread(path(n), stop_before_pixels=True) for n in FIRST + [LATER]}

    @classmethod
    def tearDownClass(cls):
        cls.arca.cleanup()
        shutil.rmtree(cls.work, ignore_errors=True)

    def copy_of_backup(self):
        d = tempfile.mkdtemp(prefix="copy-", dir=self.work)
        os.rmdir(d)
        shutil.copytree(self.backup, d)
        return d

    def blob_files(self, backup):
        out = []
        for root, _, files in os.walk(os.path.join(backup, "blobs")):
            out += [os.path.join(root, f) for f in files]
        return sorted(out)

    def verify(self, backup, rc):
        return self.arca.run("backup", "verify", backup, check=rc)

    def test_help_and_usage_errors(self):
        p = subprocess.run([harness.ARCA, "--help"], capture_output=True, check=True)
        self.assertIn(b"backup", p.stdout)
        self.assertIn(b"restore", p.stdout)
        p = subprocess.run([harness.ARCA, "backup", "--help"], capture_output=True, check=True)
        for word in (b"create", b"verify", b"keys", b"list", b"key vault", b"POST /api/v1/admin"):
            self.assertIn(word, p.stdout)
        p = subprocess.run([harness.ARCA, "restore", "--help"], capture_output=True, check=True)
        for word in (b"--from", b"--data", b"--keys", b"erased"):
            self.assertIn(word, p.stdout)
        for args in (["backup"], ["backup", "create"], ["restore", "--from", "x"],
                     ["backup", "verify"]):
            p = subprocess.run([harness.ARCA, *args], capture_output=True)
            self.assertEqual(p.returncode, 2, args)

    # --- a good backup -------------------------------------------------------------------

    def test_created_backup_is_complete_and_verifies(self):
        self.assertEqual(self.created["instances"], 3)
        self.assertEqual(self.created["blobs"], 3)
        self.assertEqual(sorted(os.listdir(self.backup)),
                         ["audit.db", "blobs", "blobs.list", "index.db", "manifest.hmac",
                          "manifest.json"])
        self.assertFalse(os.path.exists(os.path.join(self.backup, "keys")))
        leftovers = [n for n in os.listdir(os.path.dirname(self.backup)) if "partial" in n]
        self.assertEqual(leftovers, [])
        p = self.arca.run("backup", "verify", "--json", self.backup, check=0)
        report = json.loads(p.stdout)
        self.assertEqual((report["ok"], report["files"], report["blobs_authenticated"]),
                         (True, 6, 3), report)  # index, audit, list, three blobs
        p = self.arca.run("backup", "list", self.backup, check=0)
        self.assertIn("3 instances", p.stdout.decode())
        self.assertIn(self.created["key_id"], p.stdout.decode())

    def test_no_patient_name_or_id_in_the_backup(self):
        needles = set()
        for d in self.ds.values():
            for v in (str(d.PatientName), str(d.PatientID)):
                if len(v) >= 3:
                    needles.add(v.encode())
                    needles.add(v.encode("utf-16-le"))
            for part in str(d.PatientName).split("^"):
                if len(part) >= 4:
                    needles.add(part.encode())
        self.assertTrue(needles)
        for target in (self.backup, self.keys):
            files = [target] if os.path.isfile(target) else [
                os.path.join(r, f) for r, _, fs in os.walk(target) for f in fs]
            for f in files:
                data = read(f)
                for n in needles:
                    self.assertNotIn(n, data, f"{n!r} in {f}")

    def test_backup_actions_are_audited(self):
        backups = [r for r in audit_records(self.arca) if r["action"] == "backup"]
        details = [r["detail"] for r in backups]
        self.assertTrue(any(d.startswith("backup created (offline): 3 instances") for d in details),
                        details)
        self.assertGreaterEqual(sum(d == "key vault exported" for d in details), 2, details)
        self.assertTrue(all(r["actor"] == "local-operator" for r in backups))
        self.verify(self.backup, 0)
        last = [r for r in audit_records(self.arca) if r["action"] == "backup"][-1]
        self.assertTrue(last["detail"].startswith("backup verified"), last)
        self.assertEqual(last["outcome"], "success")
        p = subprocess.run([harness.ARCA, "audit", "export", "--format", "dicom",
                            *self.arca.flags()], stdout=subprocess.PIPE, check=True)
        self.assertIn(b'csd-code="110106"', p.stdout)  # a backup is an Export (PS3.15 A.5.3.6)

    # --- damage, each reported -----------------------------------------------------------

    def test_tampered_manifest_is_reported(self):
        b = self.copy_of_backup()
        m = os.path.join(b, "manifest.json")
        text = read(m).replace(b'"instances": 3', b'"instances": 4')
        with open(m, "wb") as f:
            f.write(text)
        p = self.verify(b, 1)
        self.assertIn("manifest was altered", p.stderr.decode())
        last = [r for r in audit_records(self.arca) if r["action"] == "backup"][-1]
        self.assertEqual((last["outcome"], last["error_code"]), ("failure", "integrity"), last)

    def test_flipped_byte_in_a_blob_is_reported_for_that_blob(self):
        b = self.copy_of_backup()
        victim = self.blob_files(b)[1]
        flip_byte(victim, os.path.getsize(victim) // 2)
        p = self.verify(b, 1)
        bad = [l for l in p.stderr.decode().splitlines() if l.startswith("bad:")]
        rel = os.path.relpath(victim, b)
        self.assertEqual(bad, [f"bad: {rel}: SHA-256 differs from the manifest (altered)"])
        self.assertIn("2 blobs authenticated", p.stdout.decode())

    def test_altered_blob_list_is_reported(self):
        b = self.copy_of_backup()
        with open(os.path.join(b, "blobs.list"), "ab") as f:
            f.write(b"0" * 64 + b" 1 " + b"f" * 32 + b"\n")
        p = self.verify(b, 1)
        self.assertIn("bad: blobs.list: size", p.stderr.decode())

    def test_flipped_byte_in_the_index_is_reported(self):
        b = self.copy_of_backup()
        flip_byte(os.path.join(b, "index.db"), 8192 + 100)
        p = self.verify(b, 1)
        self.assertIn("bad: index.db: SHA-256 differs", p.stderr.decode())

    def test_missing_and_added_files_are_reported(self):
        b = self.copy_of_backup()
        gone = self.blob_files(b)[0]
        os.remove(gone)
        with open(os.path.join(b, "blobs", "extra"), "wb") as f:
            f.write(b"x")
        sneaked = os.path.join(b, "blobs", "ff", "ff" + "0" * 30)
        os.makedirs(os.path.dirname(sneaked), exist_ok=True)
        with open(sneaked, "wb") as f:
            f.write(b"x")
        p = self.verify(b, 1)
        err = p.stderr.decode()
        self.assertIn(f"bad: {os.path.relpath(gone, b)}: missing", err)
        self.assertIn("bad: blobs/extra: not listed in the manifest", err)
        self.assertIn(f"bad: {os.path.relpath(sneaked, b)}: not listed in the manifest", err)
        self.assertEqual(len([l for l in err.splitlines() if l.startswith("bad:")]), 3, err)

    def test_interrupted_backup_without_manifest_is_not_a_backup(self):
        b = self.copy_of_backup()
        os.remove(os.path.join(b, "manifest.json"))
        p = self.verify(b, 1)
        self.assertIn("not a complete Arca backup", p.stderr.decode())
        p = self.arca.run("restore", "--from", b, "--data", os.path.join(self.work, "never"),
                          "--keys", self.keys, check=1)
        self.assertFalse(os.path.exists(os.path.join(self.work, "never")))

    def test_wrong_root_key_is_named_as_such(self):
        other = harness.Arca()
        try:
            other.run("import", path(FIRST[0]), check=0)  # its own root key
            p = other.run("backup", "list", self.backup, check=1)
            self.assertIn("another root key", p.stderr.decode())
            p = other.run("backup", "verify", self.backup, check=1)
            self.assertIn("another root key", p.stderr.decode())
            target = os.path.join(self.work, "wrong-key")
            p = other.run("restore", "--from", self.backup, "--data", target, "--keys", self.keys,
                          check=1)
            self.assertIn("another root key", p.stderr.decode())
            self.assertFalse(os.path.exists(target))
        finally:
            other.cleanup()

    # --- bad destinations ----------------------------------------------------------------

    def test_bad_destinations_are_refused(self):
        p = self.arca.run("backup", "create", "--to", self.backup, check=1)
        self.assertIn("already exists and is not an empty directory", p.stderr.decode())
        a_file = os.path.join(self.work, "a-file")
        with open(a_file, "w") as f:
            f.write("x")
        p = self.arca.run("backup", "create", "--to", os.path.join(a_file, "b"), check=1)
        self.assertIn("backup not created", p.stderr.decode())
        p = self.arca.run("backup", "keys", "--to", self.keys, check=1)
        self.assertIn("already exists", p.stderr.decode())
        p = self.arca.run("restore", "--from", self.backup, "--data", self.work, check=1)
        self.assertIn("not an empty directory", p.stderr.decode())
        empty = os.path.join(self.work, "empty-dir")
        os.mkdir(empty)
        self.arca.run("backup", "create", "--to", empty, check=0)  # an empty directory will do
        self.verify(empty, 0)

    def test_full_disk_is_reported_and_leaves_nothing(self):
        mnt = tempfile.mkdtemp(prefix="tiny-", dir=self.work)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", mnt],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode != 0:
            self.skipTest("cannot mount a small tmpfs here: " + r.stderr.decode().strip())
        try:
            p = self.arca.run("backup", "create", "--to", os.path.join(mnt, "b"), check=1)
            self.assertIn("backup not created", p.stderr.decode())
            self.assertIn("the destination is full", p.stderr.decode())
            self.assertEqual(os.listdir(mnt), [])
        finally:
            subprocess.run(["umount", mnt])

    # --- restore -------------------------------------------------------------------------

    def test_restore_serves_the_same_bytes_and_continues_the_trail(self):
        restored = harness.Arca()
        try:
            os.makedirs(os.path.dirname(restored.key_file), mode=0o700)
            shutil.copy(self.arca.key_file, restored.key_file)
            os.chmod(restored.key_file, 0o600)
            p = restored.run("restore", "--from", self.backup, "--data", restored.data_dir,
                             "--keys", self.keys, check=0)
            self.assertIn("restored 3 instances", p.stdout.decode())
            restored.run("audit", "verify", check=0)
            restores = [r for r in audit_records(restored) if r["action"] == "restore"]
            self.assertEqual(len(restores), 1, restores)
            self.assertEqual(restores[0]["outcome"], "success")
            restored.run("check", check=0)
            restored.serve(["--dev-local-access"])
            base = f"https://127.0.0.1:{restored.http_port}"
            for name, d in self.ds.items():
                status, body, _ = harness.curl(
                    f"{base}/wado?requestType=WADO&studyUID={d.StudyInstanceUID}"
                    f"&seriesUID={d.SeriesInstanceUID}&objectUID={d.SOPInstanceUID}"
                    "&contentType=application%2Fdicom&transferSyntax=*")
                self.assertEqual(status, 200, name)
                self.assertEqual(body, read(path(name)), name)
            restored.stop()
            restored.run("audit", "verify", check=0)
            p = restored.run("restore", "--from", self.backup, "--data", restored.data_dir,
                             "--keys", self.keys, check=1)
            self.assertIn("not an empty directory", p.stderr.decode())
        finally:
            restored.cleanup()

    def test_restore_with_an_older_vault_keeps_missing_patients_out(self):
        target = os.path.join(self.work, "restored-early")
        p = self.arca.run("restore", "--from", self.backup, "--data", target, "--keys",
                          self.early_keys, check=0)
        out = p.stdout.decode()
        self.assertIn("restored 2 instances", out)
        self.assertIn("1 instances of 1 patients erased since the backup were left out", out)
        flags = ["--data-dir", target, "--key-file", self.arca.key_file]
        subprocess.run([harness.ARCA, "check", *flags], check=True, stdout=subprocess.PIPE)
        records = audit_records(None, flags)
        restore = [r for r in records if r["action"] == "restore"][-1]
        self.assertIn("1 erased instances of 1 patients removed", restore["detail"])

    def test_restore_needs_a_vault(self):
        lone = harness.Arca()
        try:
            os.makedirs(os.path.dirname(lone.key_file), mode=0o700)
            shutil.copy(self.arca.key_file, lone.key_file)
            target = os.path.join(self.work, "restored-no-vault")
            p = lone.run("restore", "--from", self.backup, "--data", target, check=1)
            self.assertIn("no key vault to restore with: pass --keys FILE", p.stderr.decode())
            self.assertFalse(os.path.exists(target))
        finally:
            lone.cleanup()
        self.arca.serve()
        try:
            target = os.path.join(self.work, "restored-in-use")
            p = self.arca.run("restore", "--from", self.backup, "--data", target, check=1)
            self.assertIn("cannot read the current key vault", p.stderr.decode())
            self.assertFalse(os.path.exists(target))
        finally:
            self.arca.stop()
        target = os.path.join(self.work, "restored-current-vault")
        p = self.arca.run("restore", "--from", self.backup, "--data", target, check=0)
        self.assertIn("restored 3 instances", p.stdout.decode())

    def test_restore_of_damaged_backup_is_refused(self):
        b = self.copy_of_backup()
        victim = self.blob_files(b)[0]
        flip_byte(victim, 10)
        target = os.path.join(self.work, "restored-damaged")
        p = self.arca.run("restore", "--from", b, "--data", target, "--keys", self.keys,
                          check=1)
        self.assertIn("does not match the manifest", p.stderr.decode())
        self.assertFalse(os.path.exists(target))
        self.assertEqual([n for n in os.listdir(self.work) if "restored-damaged" in n], [])


class OnlineBackupTest(unittest.TestCase):
    """POST /api/v1/admin/backups while `arca serve` runs, into the configured directories."""

    @staticmethod
    def store_copies(client, stored, errors):
        ds = pydicom.dcmread(path("CT_small.dcm"))
        for i in range(30):
            ds.SOPInstanceUID = f"{ds.StudyInstanceUID}.77.{i}"
            ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            buf = io.BytesIO()
            ds.save_as(buf)
            body = (b"--b\r\nContent-Type: application/dicom\r\n\r\n" + buf.getvalue() +
                    b"\r\n--b--\r\n")
            status, answer, _ = client.request(
                "POST", "/dicom-web/studies", body,
                {"Content-Type": 'multipart/related; type="application/dicom"; boundary=b',
                 "Accept": "application/dicom+json"})
            if status != 200:
                errors.append((status, answer))
                return
            stored.append(ds.SOPInstanceUID)

    def test_backup_while_serving(self):
        arca = harness.Arca()
        try:
            arca.run("import", *[path(n) for n in FIRST + [LATER]], check=0)
            data_dir = os.path.join(arca.root, "backups")
            keys_dir = os.path.join(arca.root, "vault-exports")
            config = os.path.join(arca.root, "arca.toml")
            with open(config, "w") as f:
                f.write(f'[backup]\ndir = "{data_dir}"\nkeys_dir = "{keys_dir}"\n')
            arca.serve(["--config", config])
            admin, _, _ = sign_in_new_user(arca.http_port, "admin", arca.first_admin_password(),
                                           "correct-horse-battery-staple-9", set())
            status, made_token, _ = admin.request(
                "POST", "/api/v1/tokens", {"name": "router", "permissions": ["study.query"]})
            self.assertEqual(status, 201, made_token)
            token = made_token["token"]
            status, body, _ = admin.request("POST", "/api/v1/admin/backups", b"{}")
            self.assertEqual(status, 201, body)
            self.assertEqual((body["mode"], body["instances"], body["blobs"]), ("online", 3, 3))
            self.assertTrue(body["name"].startswith("arca-backup-"), body)
            backup = os.path.join(data_dir, body["name"])
            keys = os.path.join(keys_dir, body["keys_file"])
            self.assertTrue(os.path.isfile(keys))
            # Backups while STOW-RS stores new instances: each is a consistent snapshot.
            stored, errors = [], []
            writer = threading.Thread(target=self.store_copies, args=(admin, stored, errors))
            writer.start()
            during = []
            while writer.is_alive() and len(during) < 5:
                status, made, _ = admin.request("POST", "/api/v1/admin/backups", b"{}")
                self.assertEqual(status, 201, made)
                during.append(made)
            writer.join()
            self.assertEqual(errors, [])
            self.assertTrue(during)
            arca.stop()
            p = arca.run("backup", "verify", backup, check=0)
            self.assertIn("3 blobs authenticated", p.stdout.decode())
            for made in during:
                p = arca.run("backup", "verify", "--json", os.path.join(data_dir, made["name"]),
                             check=0)
                report = json.loads(p.stdout)
                self.assertTrue(report["ok"], report)
                self.assertEqual(report["blobs_authenticated"], made["instances"])
            records = [r for r in audit_records(arca) if r["action"] == "backup"]
            made = [r for r in records if r["detail"].startswith("backup created (online)")]
            self.assertEqual(len(made), 1 + len(during), records)
            self.assertTrue(all(r["actor"].startswith("user:") for r in made), made)
            self.assertEqual([r for r in records if r["outcome"] != "success"], [])
            restored = harness.Arca()
            try:
                os.makedirs(os.path.dirname(restored.key_file), mode=0o700)
                shutil.copy(arca.key_file, restored.key_file)
                p = restored.run("restore", "--from", backup, "--data", restored.data_dir,
                                 "--keys", keys, check=0)
                self.assertIn("restored 3 instances", p.stdout.decode())
                # The backup holds the admin's session and the token: both end with the restore.
                self.assertIn("1 sessions ended and 1 API tokens revoked", p.stdout.decode())
                restored.run("audit", "verify", check=0)
                restore = [r for r in audit_records(restored) if r["action"] == "restore"]
                self.assertIn("1 sessions ended, 1 API tokens revoked", restore[0]["detail"])
                restored.serve()
                admin.port = restored.http_port
                self.assertEqual(admin.request("GET", "/api/v1/users")[0], 401)
                bearer = Client(restored.http_port, bearer=token)
                status, body, _ = bearer.request("GET", "/dicom-web/studies")
                self.assertEqual(status, 401, body)
                self.assertIn("revoked", body["message"])
                again = Client(restored.http_port)
                self.assertEqual(again.login("admin", "correct-horse-battery-staple-9")[0], 200)
            finally:
                restored.cleanup()
        finally:
            arca.cleanup()

    def test_nightly_schedule_and_rotation(self):
        """[backup] daily_at: the server backs up by itself at that minute (UTC), as
        "scheduler", and keeps only [backup] keep backups."""
        arca = harness.Arca()
        try:
            arca.run("import", path(FIRST[0]), check=0)
            data_dir = os.path.join(arca.root, "backups")
            keys_dir = os.path.join(arca.root, "vault-exports")
            # The scheduled minute must come after the backup asked for below: 90-150 s away
            # (a sanitizer build takes tens of seconds to start and sign in).
            at = datetime.now(timezone.utc) + timedelta(seconds=150)
            config = os.path.join(arca.root, "arca.toml")
            with open(config, "w") as f:
                f.write(f'[backup]\ndir = "{data_dir}"\nkeys_dir = "{keys_dir}"\n'
                        f'daily_at = "{at:%H:%M}"\nkeep = 1\n')
            arca.serve(["--config", config])
            admin, _, _ = sign_in_new_user(arca.http_port, "admin", arca.first_admin_password(),
                                           "correct-horse-battery-staple-9", set())
            status, first, _ = admin.request("POST", "/api/v1/admin/backups", b"{}")
            self.assertEqual(status, 201, first)
            deadline = time.time() + 240
            while time.time() < deadline:
                names = sorted(os.listdir(data_dir))
                if names and names != [first["name"]] and not any("partial" in n for n in names):
                    break
                time.sleep(1)
            arca.stop()
            names = sorted(os.listdir(data_dir))
            self.assertEqual(len(names), 1, names)
            self.assertNotEqual(names[0], first["name"])
            self.assertEqual(os.listdir(keys_dir), ["arca-keys-" + names[0][len("arca-backup-"):]])
            arca.run("backup", "verify", os.path.join(data_dir, names[0]), check=0)
            records = [r for r in audit_records(arca) if r["action"] == "backup"]
            by_scheduler = [r["detail"] for r in records if r["actor"] == "scheduler"]
            self.assertTrue(any(d.startswith("backup created (online): 1 instances")
                                for d in by_scheduler), records)
            self.assertIn("backup removed by rotation: " + first["name"], by_scheduler)
        finally:
            arca.cleanup()


if __name__ == "__main__":
    harness.main()
