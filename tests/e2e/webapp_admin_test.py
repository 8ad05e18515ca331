"""The admin and audit screens in a real browser (issue 7): tests/e2e/webapp/admin.cjs drives
Debian's Chromium against `arca serve` with a few pydicom corpus files imported. The first admin
manages users, grants, API tokens, DICOM peers and a tenant setting through the screens; an
auditor finds those actions in the audit trail, exports them and runs the per-patient access
report. Screenshots go to <build>/webapp-screenshots/admin/."""
import os
import unittest

import pydicom

import harness
import webapp_harness
from webapp_harness import TEST_FILES

FILES = ["CT_small.dcm", "MR_small.dcm", "SC_rgb_rle.dcm", "JPEG2000.dcm"]


class WebAppAdmin(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        cls.paths = [os.path.join(TEST_FILES, f) for f in FILES]
        cls.arca.run("import", *cls.paths, check=0)
        cls.otp = webapp_harness.serve_with_first_admin(cls.arca)

    @classmethod
    def tearDownClass(cls):
        cls.arca.cleanup()

    def test_admin_screens_and_audit_trail(self):
        shots = webapp_harness.shots_dir("admin")
        ct = pydicom.dcmread(self.paths[0], stop_before_pixels=True)
        mr = pydicom.dcmread(self.paths[1], stop_before_pixels=True)
        expect = {"report_uid": str(ct.StudyInstanceUID), "report_pid": str(ct.PatientID),
                  "grant_uid": str(mr.StudyInstanceUID)}
        webapp_harness.run_browser(self, self.arca, "admin.cjs", shots, expect,
                                   env={"ARCA_OTP": self.otp})
        for shot in ("01-users", "02-user-created", "03-confirm-disable", "04-manage-user",
                     "05-token-created", "06-tokens", "07-peers", "08-tenant-confirm",
                     "09-tenants", "10-audit-search", "11-audit-record", "12-access-report"):
            self.assertTrue(os.path.getsize(os.path.join(shots, shot + ".png")) > 5000, shot)
        log = self.arca.log()
        for path in self.paths:
            ds = pydicom.dcmread(path, stop_before_pixels=True)
            for value in (str(ds.get("PatientName", "")), str(ds.get("PatientID", ""))):
                if len(value) > 4:
                    self.assertNotIn(value, log, "PHI in the server log")


if __name__ == "__main__":
    harness.main()
