#!/usr/bin/python3
"""The worklist's sort and per-study actions in a real browser (issues 6 and 7): Debian's Chromium
driven by playwright-core (tests/e2e/webapp/worklist.cjs) against `arca serve` with the pydicom
corpus imported. The admin signs in for the first time, sorts by each column header (mouse and
keyboard) and every order is checked against ground truth computed here from the imported files;
downloads a study as a zip (checked here with zipfile, byte for byte against the files); deletes a
study through the confirmation dialog; a front-desk user sees neither action.
Screenshots go to <build>/webapp-screenshots/worklist/."""
import io
import os
import tempfile
import unittest
import zipfile

import pydicom

import harness
import webapp_harness
from webapp_harness import TEST_FILES


def fold(text):
    """ASCII upper-casing, as Arca folds person names for matching and sorting."""
    return "".join(c.upper() if "a" <= c <= "z" else c for c in text)


def model(stored_files):
    """The index as Arca builds it from files imported in this order: a study's attributes come
    from its first instance, its patient's from the first instance that created the patient, a
    series belongs to the study of its first instance (index.h, sqlite_index.h)."""
    patients, studies, series, files = {}, {}, {}, {}
    for name in stored_files:
        ds = pydicom.dcmread(name, stop_before_pixels=True)
        study, se = str(ds.StudyInstanceUID), str(ds.SeriesInstanceUID)
        pk = (str(ds.get("IssuerOfPatientID", "")), str(ds.get("PatientID", "")))
        if se in series:
            study = series[se]
        elif study not in studies:
            patients.setdefault(pk, str(ds.get("PatientName", "")))
            studies[study] = {
                "uid": study, "patient": pk, "PatientID": pk[1],
                "date": (str(ds.get("StudyDate", "")), str(ds.get("StudyTime", ""))),
                "AccessionNumber": str(ds.get("AccessionNumber", "")),
                "StudyDescription": str(ds.get("StudyDescription", "")), "modalities": set()}
        if se not in series:
            series[se] = study
            if ds.get("Modality"):
                studies[study]["modalities"].add(str(ds.Modality))
        with open(name, "rb") as f:
            files.setdefault(study, {})[str(ds.SOPInstanceUID)] = f.read()
    for s in studies.values():
        s["PatientName"] = fold(patients[s["patient"]])
        s["ModalitiesInStudy"] = "\\".join(sorted(s["modalities"]))
    return studies, files


def order(studies, key, descending):
    """Arca's orderby: the key, then the study UID, both in the key's direction."""
    def sort_key(s):
        return (tuple(s["date"]) if key == "StudyDate" else (s[key],), s["uid"])
    return [s["uid"] for s in sorted(studies.values(), key=sort_key, reverse=descending)]


class WorklistBrowser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        # One job, so "first instance" above is the first file of this list.
        p = cls.arca.run("import", "--list", "--jobs", "1", TEST_FILES)
        stored = [n for what, _, n in harness.parse_list(p.stdout) if what == "stored"]
        assert len(stored) > 20, p.stdout[-2000:]
        cls.studies, cls.files = model(stored)
        cls.otp = webapp_harness.serve_with_first_admin(cls.arca)

    @classmethod
    def tearDownClass(cls):
        cls.arca.cleanup()

    def test_sort_download_delete_and_roles(self):
        shots = webapp_harness.shots_dir("worklist")
        keys = ["StudyDate", "PatientName", "PatientID", "AccessionNumber", "ModalitiesInStudy",
                "StudyDescription"]
        orders = {f"{k}:{'desc' if d else 'asc'}": order(self.studies, k, d)
                  for k in keys for d in (False, True)}
        # Download the study with the most instances; delete one with a date and description.
        download = max(self.files, key=lambda u: (len(self.files[u]), u))
        target = min((s for s in self.studies.values()
                      if s["date"][0] and s["StudyDescription"] and s["uid"] != download),
                     key=lambda s: s["uid"])
        # Inside the server's scratch root, which tearDownClass removes whatever happens.
        zip_path = os.path.join(tempfile.mkdtemp(prefix="zip-", dir=self.arca.root), "study.zip")
        expect = {"orders": orders, "count": len(self.studies), "download_uid": download,
                  "download_entries": len(self.files[download]), "delete_uid": target["uid"],
                  "delete_date": f"{target['date'][0][:4]}-{target['date'][0][4:6]}-"
                                 f"{target['date'][0][6:8]}",
                  "delete_description": target["StudyDescription"]}
        webapp_harness.run_browser(self, self.arca, "worklist.cjs", shots, expect,
                                   env={"ARCA_OTP": self.otp, "ZIP_PATH": zip_path})
        with zipfile.ZipFile(zip_path) as z:
            self.assertIsNone(z.testzip())
            got = {}
            for name in z.namelist():
                data = z.read(name)
                ds = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True)
                got[str(ds.SOPInstanceUID)] = data
        self.assertEqual(got, self.files[download], "the browser's zip holds the stored files")
        for shot in ("01-worklist-by-date", "02-sorted-by-patient", "03-delete-dialog",
                     "04-after-delete", "05-front-desk"):
            self.assertTrue(os.path.getsize(os.path.join(shots, shot + ".png")) > 5000, shot)


if __name__ == "__main__":
    harness.main()
