#!/usr/bin/python3
"""`arca import` of the whole pydicom corpus (Debian's python3-pydicom): every valid file is
stored and exports byte-identical, every invalid one is rejected with a reason, and afterwards
no patient name or id from the corpus can be found anywhere in the data directory or the log.
"""
import json
import os
import tempfile
import unittest

import pydicom

import harness

HERE = os.path.dirname(os.path.abspath(__file__))
TEST_FILES = os.path.join(harness.PYDICOM_DATA, "test_files")
CHARSET_FILES = os.path.join(harness.PYDICOM_DATA, "charset_files")


def load_expectations():
    with open(os.path.join(HERE, "corpus_expectations.json")) as f:
        return json.load(f)


def sop_uid_of(path):
    try:
        ds = pydicom.dcmread(path, stop_before_pixels=True, force=True)
        return str(ds.get("SOPInstanceUID", "")) or None
    except Exception:
        return None


class CorpusTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        # Debug logging, so the PHI search below reads everything Arca can log.
        config = os.path.join(cls.arca.root, "arca.toml")
        with open(config, "w") as f:
            f.write('log_level = "debug"\n')
        cls.result = cls.arca.run("import", "--config", config, "--list", TEST_FILES,
                                  CHARSET_FILES)
        cls.rows = harness.parse_list(cls.result.stdout)
        cls.by_name = {name: (what, uid) for what, uid, name in cls.rows}
        cls.expect = load_expectations()

    @classmethod
    def tearDownClass(cls):
        cls.arca.cleanup()

    def rel(self, name):
        return os.path.relpath(name, harness.PYDICOM_DATA)

    def test_every_file_has_a_result(self):
        files = []
        for top in (TEST_FILES, CHARSET_FILES):
            for d, _, names in os.walk(top):
                files += [os.path.join(d, n) for n in names]
        self.assertEqual(sorted(files), sorted(self.by_name))
        self.assertEqual(self.result.returncode, 1, "rejections must make the exit code 1")

    def test_invalid_files_are_rejected_with_reason(self):
        stderr = self.result.stderr.decode(errors="replace")
        for rel, reason in self.expect["rejected"].items():
            name = os.path.join(harness.PYDICOM_DATA, rel)
            self.assertIn(name, self.by_name, rel)
            self.assertEqual(self.by_name[name][0], "rejected", rel)
            line = [l for l in stderr.splitlines() if l.startswith(f"rejected: {name}: ")]
            self.assertEqual(len(line), 1, f"{rel}: one reason line expected")
            self.assertIn(reason, line[0], rel)

    def test_valid_files_are_stored_or_conflict_with_a_stored_twin(self):
        stored_uids = {uid for what, uid, _ in self.rows if what in ("stored", "duplicate")}
        stderr = self.result.stderr.decode(errors="replace")
        for what, uid, name in self.rows:
            rel = self.rel(name)
            if rel in self.expect["rejected"]:
                continue
            if rel in self.expect["skipped"]:
                self.assertEqual(what, "skipped", rel)
                continue
            if what == "rejected":
                # Same SOP Instance UID as a stored file, other bytes: keep-first policy.
                self.assertIn(f"rejected: {name}: an instance with this SOP Instance UID", stderr)
                self.assertIn(sop_uid_of(name), stored_uids, rel)
            else:
                self.assertIn(what, ("stored", "duplicate"), rel)

    def test_conflicting_twins_store_alone_and_export_identical(self):
        twins = [name for what, _, name in self.rows
                 if what == "rejected" and self.rel(name) not in self.expect["rejected"]]
        self.assertGreater(len(twins), 0, "the corpus has same-UID variants")
        for name in twins:
            solo = harness.Arca()
            try:
                p = solo.run("import", "--list", name, check=0)
                (what, uid, _), = harness.parse_list(p.stdout)
                self.assertEqual(what, "stored", name)
                self.assert_exports_identical(solo, {uid: name})
            finally:
                solo.cleanup()

    def test_stored_files_export_byte_identical(self):
        stored = {uid: name for what, uid, name in self.rows if what == "stored"}
        self.assertGreater(len(stored), 60)
        self.assert_exports_identical(self.arca, stored)

    def assert_exports_identical(self, arca, uid_to_file):
        studies = {}
        for uid, name in uid_to_file.items():
            ds = pydicom.dcmread(name, stop_before_pixels=True, force=True)
            studies.setdefault(str(ds.StudyInstanceUID), []).append(uid)
        with tempfile.TemporaryDirectory() as out:
            for study in studies:
                arca.run("export", "--study", study, "--out", out, check=0)
            for uid, name in uid_to_file.items():
                with open(os.path.join(out, uid + ".dcm"), "rb") as a, open(name, "rb") as b:
                    self.assertEqual(a.read(), b.read(), f"{name} differs after export")

    def test_no_patient_names_or_ids_at_rest_or_in_logs(self):
        needles = set()
        for what, _, name in self.rows:
            if what not in ("stored", "duplicate"):
                continue
            ds = pydicom.dcmread(name, stop_before_pixels=True, force=True)
            for keyword in ("PatientName", "PatientID"):
                value = ds.get(keyword)
                if value is None:
                    continue
                raw = ds[keyword].value
                texts = {str(value)}
                if isinstance(raw, bytes):
                    texts.add(raw.decode("latin-1"))
                for text in texts:
                    for encoded in (text.encode("utf-8", "ignore"),
                                    text.encode("latin-1", "ignore")):
                        # Shorter strings occur by chance in megabytes of ciphertext.
                        if len(encoded.strip()) >= 6:
                            needles.add(encoded.strip())
        self.assertGreater(len(needles), 20)
        haystacks = [self.arca.log_path]
        for d, _, names in os.walk(self.arca.data_dir):
            haystacks += [os.path.join(d, n) for n in names]
        for path in haystacks:
            with open(path, "rb") as f:
                content = f.read()
            for needle in needles:
                self.assertNotIn(needle, content, f"PHI {needle!r} found in {path}")


if __name__ == "__main__":
    harness.main()
