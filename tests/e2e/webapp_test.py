"""The web app shell in a real browser (issue 7): Debian's Chromium driven by npm playwright-core
(tests/e2e/webapp/browser.cjs) against the real `arca serve` on loopback, with the pydicom
corpus imported first. Covers the first sign-in end to end (one-time password, new password,
TOTP enrolment computed from the secret the screen shows, recovery codes), the worklist (every
study listed, filters, paging), a front-desk user, the idle warning and session expiry.
Screenshots of every screen go to <build>/webapp-screenshots/main/."""
import os
import unittest

import pydicom

import harness
import webapp_harness
from webapp_harness import TEST_FILES


def studies_of(stored_files):
    """Ground truth from the files themselves: study UID -> name, id, date, modalities."""
    studies = {}
    for name in stored_files:
        ds = pydicom.dcmread(name, stop_before_pixels=True)
        uid = str(ds.StudyInstanceUID)
        s = studies.setdefault(uid, {"uid": uid, "name": str(ds.get("PatientName", "")),
                                     "id": str(ds.get("PatientID", "")),
                                     "date": str(ds.get("StudyDate", "")), "modalities": set(),
                                     "series": set()})
        if ds.get("Modality"):
            s["modalities"].add(str(ds.Modality))
        s["series"].add(str(ds.SeriesInstanceUID))
    for s in studies.values():
        s["modalities"] = sorted(s["modalities"])
        s["series"] = len(s["series"])
    return studies


class WebApp(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        p = cls.arca.run("import", "--list", TEST_FILES)
        stored = [n for what, _, n in harness.parse_list(p.stdout) if what == "stored"]
        assert len(stored) > 20, p.stdout[-2000:]
        cls.studies = studies_of(stored)
        cls.otp = webapp_harness.serve_with_first_admin(cls.arca)

    @classmethod
    def tearDownClass(cls):
        cls.arca.cleanup()

    def test_sign_in_worklist_roles_idle_and_expiry(self):
        shots = webapp_harness.shots_dir("main")
        # A name shared by several studies, typed in lower case (PN matching ignores case), and
        # the modality with the most studies.
        names = {}
        for s in self.studies.values():
            key = s["name"].split("^")[0]
            if len(key) >= 3 and key.isalpha():
                names.setdefault(key, []).append(s["uid"])
        name, name_uids = max(names.items(), key=lambda kv: (len(kv[1]), kv[0]))
        mods = {}
        for s in self.studies.values():
            for m in s["modalities"]:
                mods.setdefault(m, []).append(s["uid"])
        modality, mod_uids = max(mods.items(), key=lambda kv: (len(kv[1]), kv[0]))
        needle = name.lower()
        expect = {
            "all": sorted(self.studies),
            "name_term": needle,
            "name_uids": sorted(u for u, s in self.studies.items()
                                if needle in s["name"].lower()),
            "modality": modality,
            "modality_uids": sorted(mod_uids),
        }
        dates = {}
        for s in self.studies.values():
            if len(s["date"]) == 8:
                dates.setdefault(s["date"], []).append(s["uid"])
        day, day_uids = max(dates.items(), key=lambda kv: (len(kv[1]), kv[0]))
        expect["date"] = f"{day[:4]}-{day[4:6]}-{day[6:]}"
        # The viewer opens an uncompressed CT (codecs aside, it must render pixels).
        ct = pydicom.dcmread(os.path.join(TEST_FILES, "CT_small.dcm"), stop_before_pixels=True)
        expect["viewer_uid"] = str(ct.StudyInstanceUID)
        most = max(self.studies.values(), key=lambda s: (s["series"], s["uid"]))
        expect["series_uid"], expect["series_count"] = most["uid"], most["series"]
        expect["date_uids"] = sorted(day_uids)
        webapp_harness.run_browser(self, self.arca, "browser.cjs", shots, expect,
                                   env={"ARCA_OTP": self.otp})
        for shot in ("01-sign-in", "02-change-password", "03-enrol-totp", "04-recovery-codes",
                     "05-worklist", "09-viewer", "10-front-desk-worklist",
                     "13-session-expired"):
            self.assertTrue(os.path.getsize(os.path.join(shots, shot + ".png")) > 5000, shot)
        log = self.arca.log()
        for s in self.studies.values():
            if len(s["name"]) > 4:
                self.assertNotIn(s["name"], log, "PHI in the server log")


if __name__ == "__main__":
    harness.main()
