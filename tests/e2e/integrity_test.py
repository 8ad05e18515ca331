#!/usr/bin/python3
"""Flipping one byte of one stored blob makes `arca check` and `arca export` report an
integrity error for that instance only; the others still check clean and export."""
import glob
import os
import tempfile
import unittest

import pydicom

import harness
import pack_files

FILES = ["CT_small.dcm", "MR_small.dcm", "SC_rgb_rle.dcm", "waveform_ecg.dcm", "JPEG2000.dcm"]


class IntegrityTest(unittest.TestCase):
    def setUp(self):
        self.arca = harness.Arca()
        paths = [os.path.join(harness.PYDICOM_DATA, "test_files", f) for f in FILES]
        p = self.arca.run("import", "--list", *paths, check=0)
        self.rows = harness.parse_list(p.stdout)
        self.assertEqual(len(self.rows), len(FILES))

    def tearDown(self):
        self.arca.cleanup()

    def test_untouched_archive_checks_clean(self):
        p = self.arca.run("check", "--json", check=0)
        self.assertIn(b'"checked":5,"damaged":0', p.stdout)

    def test_one_flipped_byte_is_reported_for_that_instance_only(self):
        blobs = sorted(pack_files.committed(self.arca.data_dir).values())
        self.assertEqual(len(blobs), len(FILES))
        victim = blobs[0]
        pack_files.flip_byte(victim, victim.length // 2)
        p = self.arca.run("check", "--json", check=1)
        self.assertIn(b'"checked":5,"damaged":1', p.stdout)
        damaged = [l for l in p.stderr.decode().splitlines() if l.startswith("damaged:")]
        self.assertEqual(len(damaged), 1)
        self.assertIn("integrity", damaged[0])
        bad_uid = next(uid for _, uid, _ in self.rows if uid in damaged[0])

        # Export of every study: only the damaged instance fails and is not written.
        with tempfile.TemporaryDirectory() as out:
            failures = 0
            for _, uid, name in self.rows:
                study = str(pydicom.dcmread(name, stop_before_pixels=True).StudyInstanceUID)
                p = self.arca.run("export", "--study", study, "--out", out)
                if uid == bad_uid:
                    self.assertEqual(p.returncode, 1)
                    self.assertIn(f"instance {bad_uid}", p.stderr.decode())
                    failures += 1
            exported = {os.path.basename(x)[:-4] for x in glob.glob(os.path.join(out, "*.dcm"))}
            self.assertEqual(exported, {uid for _, uid, _ in self.rows} - {bad_uid})
            self.assertEqual(failures, 1)
            self.assertEqual(glob.glob(os.path.join(out, "*.partial")), [])


if __name__ == "__main__":
    harness.main()
