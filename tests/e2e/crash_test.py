#!/usr/bin/python3
"""`kill -9` in the middle of an import of the benchmark dataset, then restart: every instance
the import reported as stored is present and byte-identical, `arca check` is clean, and a
second import completes the rest (the earlier ones are duplicates).

The dataset comes from ../shared/bench/make-dataset.py; CI uses 2x2x40 instances (~80 MB) to
stay within its time budget (ARCA_CRASH_DATASET can point at the full one, and ARCA_CRASH_AFTER
sets how many acknowledgements to wait for before the kill)."""
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import pydicom

import harness
import pack_files

# How many acknowledged instances to wait for before the kill (ARCA_CRASH_AFTER overrides).
KILL_AFTER = int(os.environ.get("ARCA_CRASH_AFTER", "40"))


def dataset():
    given = os.environ.get("ARCA_CRASH_DATASET")
    if given:
        return given, False
    out = tempfile.mkdtemp(prefix="arca-crash-data-")
    subprocess.run(["/usr/bin/python3", os.path.join(harness.SHARED_BENCH, "make-dataset.py"),
                    out, "--studies", "2", "--series", "2", "--instances", "40"],
                   check=True, stdout=subprocess.DEVNULL, timeout=600)
    return out, True


class CrashTest(unittest.TestCase):
    def setUp(self):
        self.data, self.owned = dataset()
        self.arca = harness.Arca()

    def tearDown(self):
        self.arca.cleanup()
        if self.owned:
            shutil.rmtree(self.data, ignore_errors=True)

    def test_kill_during_import_loses_nothing_acknowledged(self):
        studies = [os.path.join(self.data, d) for d in sorted(os.listdir(self.data))
                   if os.path.isdir(os.path.join(self.data, d))]
        self.assertTrue(studies)
        listing = os.path.join(self.arca.root, "import.list")
        with open(listing, "wb") as out:
            proc = self.arca.popen("import", "--list", "--jobs", "4", *studies, stdout=out)
            deadline = time.time() + 120
            while time.time() < deadline and proc.poll() is None:
                with open(listing, "rb") as f:
                    if f.read().count(b"\nstored") >= KILL_AFTER:
                        break
                time.sleep(0.01)
            self.assertIsNone(proc.poll(), "import finished before it could be killed")
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        with open(listing, "rb") as f:
            acknowledged = {uid: name for what, uid, name in harness.parse_list(f.read())
                            if what == "stored"}
        self.assertGreaterEqual(len(acknowledged), KILL_AFTER)

        # Restart: the archive opens (sweeping the leftovers) and checks clean.
        p = self.arca.run("check", "--json", check=0)
        self.assertIn(b'"damaged":0', p.stdout)

        # Everything acknowledged is there, byte for byte.
        out = os.path.join(self.arca.root, "export")
        study_uids = set()
        for name in acknowledged.values():
            study_uids.add(str(pydicom.dcmread(name, stop_before_pixels=True).StudyInstanceUID))
        for study in study_uids:
            self.arca.run("export", "--study", study, "--out", out, check=0)
        for uid, name in acknowledged.items():
            with open(os.path.join(out, uid + ".dcm"), "rb") as a, open(name, "rb") as b:
                self.assertEqual(a.read(), b.read(), name)

        # A second import completes the archive; what was acknowledged is a duplicate now.
        p = self.arca.run("import", "--list", *studies, check=0)
        rows = harness.parse_list(p.stdout)
        for what, uid, name in rows:
            if uid in acknowledged:
                self.assertEqual(what, "duplicate", name)
            else:
                self.assertIn(what, ("stored", "duplicate"), name)
        p = self.arca.run("check", "--json", check=0)
        self.assertIn(f'"checked":{len(rows)},"damaged":0'.encode(), p.stdout)
        # Nothing but indexed blobs is left on disk: no unindexed record, no torn tail.
        self.assertEqual(len(pack_files.committed(self.arca.data_dir)), len(rows))
        self.assertEqual(pack_files.tails(self.arca.data_dir), [])

    def test_blob_lost_in_a_power_failure_takes_its_row_back(self):
        """Ingest commits the index while the blob's sync is under way (docs/adr/0023). A power
        failure there can leave a durable row whose pack record is torn (header on the disk,
        data not, no .idx entry) or missing: the next start takes both rows back and audits
        it; a resend then stores them again."""
        study = [os.path.join(self.data, d) for d in sorted(os.listdir(self.data))
                 if os.path.isdir(os.path.join(self.data, d))][0]
        p = self.arca.run("import", "--list", study, check=0)
        rows = harness.parse_list(p.stdout)
        self.assertTrue(rows and all(what == "stored" for what, _, _ in rows))
        # The last two records of the fullest pack: the one before last torn, the last gone.
        packs = {}
        for r in pack_files.records(self.arca.data_dir):
            packs.setdefault(r.pack, []).append(r)
        recs = max(packs.values(), key=len)
        torn, gone = recs[-2], recs[-1]
        pack_files.flip_byte(torn, -10)
        os.truncate(torn.pack, gone.offset)
        idx = torn.pack[:-len(".pack")] + ".idx"
        with open(idx, "rb") as f:
            entries = f.read()
        kept = b"".join(entries[i:i + 56] for i in range(0, len(entries), 56)
                        if entries[i + 8:i + 24].hex() not in (torn.id, gone.id))
        with open(idx, "wb") as f:
            f.write(kept)

        p = self.arca.run("check", "--json", check=0)
        self.assertIn(f'"checked":{len(rows) - 2},"damaged":0'.encode(), p.stdout)
        self.assertEqual(p.stderr.count(b"took back instance"), 2, p.stderr[-2000:])
        p = self.arca.run("audit", "export", check=0)
        self.assertEqual(p.stdout.count(b"taken back at startup"), 2, p.stdout[-2000:])

        p = self.arca.run("import", "--list", study, check=0)
        again = harness.parse_list(p.stdout)
        self.assertEqual(sum(1 for what, _, _ in again if what == "stored"), 2)
        p = self.arca.run("check", "--json", check=0)
        self.assertIn(f'"checked":{len(rows)},"damaged":0'.encode(), p.stdout)


if __name__ == "__main__":
    harness.main()
