#!/usr/bin/python3
"""Bad input to `arca import`: each gets a clear message, nothing half-written becomes visible,
and what was stored before stays intact."""
import os
import shutil
import tempfile
import unittest

import pydicom

import harness

CT = os.path.join(harness.PYDICOM_DATA, "test_files", "CT_small.dcm")


class BadInputTest(unittest.TestCase):
    def setUp(self):
        self.arca = harness.Arca()
        self.tmp = tempfile.mkdtemp(prefix="arca-bad-")
        with open(CT, "rb") as f:
            self.ct = f.read()

    def tearDown(self):
        self.arca.cleanup()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def import_one(self, path):
        p = self.arca.run("import", "--list", path)
        rows = harness.parse_list(p.stdout)
        return p, rows

    def assert_rejected(self, path, reason):
        p, rows = self.import_one(path)
        self.assertEqual(p.returncode, 1)
        self.assertEqual([r[0] for r in rows], ["rejected"], rows)
        err = p.stderr.decode(errors="replace")
        self.assertIn(f"rejected: {path}: ", err)
        self.assertIn(reason, err.lower())
        self.assertIn("0 stored", err)

    def test_random_bytes(self):
        self.assert_rejected(self.write("random.dcm", os.urandom(5000)), "dicm")

    def test_empty_file(self):
        self.assert_rejected(self.write("empty.dcm", b""), "empty")

    def test_truncated_file(self):
        self.assert_rejected(self.write("trunc.dcm", self.ct[: len(self.ct) // 2]), "truncated")

    def test_truncated_in_header(self):
        self.assert_rejected(self.write("trunc2.dcm", self.ct[:300]), "truncated")

    def test_no_preamble_or_meta(self):
        self.assert_rejected(self.write("bare.dcm", self._bare_dataset()), "dicm")

    def _bare_dataset(self):
        ds = pydicom.dcmread(CT)
        buf = pydicom.filebase.DicomBytesIO()
        buf.is_little_endian = True
        buf.is_implicit_VR = False
        pydicom.filewriter.write_dataset(buf, ds)
        return buf.getvalue()

    def test_unknown_transfer_syntax(self):
        ds = pydicom.dcmread(CT)
        ds.file_meta.TransferSyntaxUID = "1.2.3.4.5.6.7.8.9"
        path = os.path.join(self.tmp, "unknown-ts.dcm")
        ds.save_as(path, write_like_original=True)
        self.assert_rejected(path, "transfer syntax")

    def test_missing_study_uid(self):
        ds = pydicom.dcmread(CT)
        del ds.StudyInstanceUID
        path = os.path.join(self.tmp, "nostudy.dcm")
        ds.save_as(path, write_like_original=True)
        self.assert_rejected(path, "study instance uid")

    def test_non_dicom_file_in_folder_does_not_stop_the_rest(self):
        folder = os.path.join(self.tmp, "cd")
        self.write("cd/README.TXT", b"Please insert the CD into a PC\n")
        self.write("cd/IMAGES/IM0001", self.ct)
        p = self.arca.run("import", "--list", folder)
        self.assertEqual(p.returncode, 1)
        results = sorted(r[0] for r in harness.parse_list(p.stdout))
        self.assertEqual(results, ["rejected", "stored"])
        err = p.stderr.decode()
        self.assertIn("README.TXT: ", err)
        self.assertIn("1 stored, 0 duplicate, 1 rejected", err)

    def test_missing_and_dangling_paths(self):
        missing = os.path.join(self.tmp, "no-such-file.dcm")
        self.assert_rejected(missing, "no such file")
        link = os.path.join(self.tmp, "dangling")
        os.symlink(os.path.join(self.tmp, "gone"), link)
        self.assert_rejected(link, "no such file")

    def test_reimport_is_a_noop_and_a_changed_twin_conflicts(self):
        path = self.write("ct.dcm", self.ct)
        p, rows = self.import_one(path)
        self.assertEqual(p.returncode, 0)
        self.assertEqual(rows[0][0], "stored")
        p, rows = self.import_one(path)
        self.assertEqual(p.returncode, 0)
        self.assertEqual(rows[0][0], "duplicate")
        ds = pydicom.dcmread(CT)
        ds.StudyDescription = "changed"
        twin = os.path.join(self.tmp, "twin.dcm")
        ds.save_as(twin, write_like_original=True)
        p, rows = self.import_one(twin)
        self.assertEqual(rows[0][0], "rejected")
        self.assertIn("different content", p.stderr.decode())
        # The first object is still there, intact.
        out = os.path.join(self.tmp, "out")
        self.arca.run("export", "--study", str(ds.StudyInstanceUID), "--out", out, check=0)
        with open(os.path.join(out, str(ds.SOPInstanceUID) + ".dcm"), "rb") as f:
            self.assertEqual(f.read(), self.ct)
        self.arca.run("check", check=0)

    def test_zip_archive_with_dicomdir(self):
        import zipfile
        z = os.path.join(self.tmp, "cd.zip")
        dicomdir_folder = os.path.join(harness.PYDICOM_DATA, "test_files", "dicomdirtests")
        with zipfile.ZipFile(z, "w") as zf:
            for d, _, names in os.walk(dicomdir_folder):
                for n in names:
                    full = os.path.join(d, n)
                    zf.write(full, os.path.relpath(full, dicomdir_folder))
        p = self.arca.run("import", "--list", z)
        rows = harness.parse_list(p.stdout)
        kinds = [r[0] for r in rows]
        self.assertIn("skipped", kinds)
        self.assertGreater(kinds.count("stored"), 0)
        for what, _, name in rows:
            self.assertTrue(name.startswith(z + "!"), name)

    def test_damaged_zip(self):
        data = b"PK\x03\x04" + os.urandom(300)
        self.assert_rejected(self.write("broken.zip", data), "zip")


if __name__ == "__main__":
    harness.main()
