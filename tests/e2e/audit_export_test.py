#!/usr/bin/python3
"""The audit trail over HTTP for auditors and admins (issue 7): GET and POST
/api/v1/audit/export stream every record matching the filters as JSON lines (each record with its
chain hashes) or as DICOM Audit Messages valid against the shipped schema, record the export
itself before the first byte, and refuse other roles; POST /api/v1/audit/search answers the same
as GET /api/v1/audit with the filters in a JSON body, so the web app can run the per-patient
report without a patient id in a URL. No patient name or id appears in an export."""
import json
import os
import subprocess
import unittest

import pydicom

import harness
from api_client import Client, sign_in_new_user

PASSWORD = "correct-horse-battery-staple-9"
DATA = os.path.join(harness.PYDICOM_DATA, "test_files")
FILES = [os.path.join(DATA, f) for f in ("CT_small.dcm", "MR_small.dcm", "SC_rgb_rle.dcm")]
SCHEMA = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "formats",
                      "dicom-audit-message.rng")


class AuditExportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        cls.arca.run("import", *FILES, check=0)
        cls.arca.serve()
        otp = cls.arca.first_admin_password()
        port = cls.arca.http_port
        cls.admin, _, _ = sign_in_new_user(port, "admin", otp, PASSWORD, set())
        cls.users = {}
        for role in ("auditor", "radiologist"):
            status, body, _ = cls.admin.request("POST", "/api/v1/users",
                                                {"username": role, "roles": [role]})
            assert status == 201, body
            client, _, _ = sign_in_new_user(port, role, body["one_time_password"], PASSWORD,
                                            set())
            cls.users[role] = (client, f"user:{body['user']['id']}")
        cls.auditor, cls.auditor_actor = cls.users["auditor"]
        cls.ct = pydicom.dcmread(FILES[0], stop_before_pixels=True)
        rad, _ = cls.users["radiologist"]
        status, _, _ = rad.request(
            "GET", f"/dicom-web/studies/{cls.ct.StudyInstanceUID}/series/"
                   f"{cls.ct.SeriesInstanceUID}/instances/{cls.ct.SOPInstanceUID}",
            headers={"Accept": "application/dicom"})
        assert status == 200, status

    @classmethod
    def tearDownClass(cls):
        cls.arca.cleanup()

    def export(self, client, method, format=None, **filters):
        if method == "GET":
            params = dict(filters, **({"format": format} if format else {}))
            qs = "&".join(f"{k}={v}" for k, v in params.items())
            return client.request("GET", "/api/v1/audit/export?" + qs)
        body = dict(filters)
        if format:
            body["format"] = format
        return client.request("POST", "/api/v1/audit/export", body)

    def assert_phi_free(self, raw):
        for path in FILES:
            ds = pydicom.dcmread(path, stop_before_pixels=True)
            for value in (str(ds.get("PatientName", "")), str(ds.get("PatientID", ""))):
                if len(value) >= 3:
                    self.assertNotIn(value.encode(), raw, value)

    def test_jsonl_export_is_the_chain_filtered_and_is_itself_recorded(self):
        status, raw, headers = self.export(self.auditor, "GET", "jsonl")
        self.assertEqual(status, 200, raw)
        self.assertEqual(headers["content-type"], "application/x-ndjson")
        self.assertIn("attachment", headers["content-disposition"])
        self.assertEqual(headers.get("cache-control"), "no-store")
        lines = [json.loads(line) for line in raw.decode().splitlines()]
        seqs = [r["seq"] for r in lines]
        self.assertEqual(seqs, sorted(seqs))
        self.assertEqual(seqs[:3], [1, 2, 3])  # the three imports, by the console
        self.assertTrue(all(r["action"] == "store" for r in lines[:3]))
        for a, b in zip(lines, lines[1:]):
            if b["seq"] == a["seq"] + 1:
                self.assertEqual(b["prev_hash"], a["hash"])
        # The export is in the trail, recorded before the stream began, so it is in it too.
        last = lines[-1]
        self.assertEqual((last["actor"], last["action"]), (self.auditor_actor, "audit_read"))
        self.assertIn("export jsonl", last["detail"])
        self.assert_phi_free(raw)
        # Filters: only the radiologist's retrieve of the CT.
        _, rad_actor = self.users["radiologist"]
        status, raw, _ = self.export(self.auditor, "GET", "jsonl", actor=rad_actor,
                                     action="retrieve")
        self.assertEqual(status, 200, raw)
        lines = [json.loads(line) for line in raw.decode().splitlines()]
        self.assertTrue(lines)
        self.assertTrue(all(r["studies"] == [str(self.ct.StudyInstanceUID)] and
                            r["actor"] == rad_actor for r in lines), lines)
        status, raw, _ = self.export(self.auditor, "GET", "jsonl", **{"from": "0", "to": "1"})
        self.assertEqual((status, raw), (200, b""))

    def test_dicom_export_validates_against_the_shipped_schema(self):
        status, raw, headers = self.export(self.auditor, "GET", "dicom", action="store")
        self.assertEqual(status, 200, raw)
        self.assertTrue(headers["content-type"].startswith("text/plain"))
        messages = raw.decode().splitlines()
        self.assertEqual(len(messages), 3)
        for message in messages:
            v = subprocess.run(["xmllint", "--noout", "--relaxng", SCHEMA, "-"],
                               input=message.encode(), capture_output=True)
            self.assertEqual(v.returncode, 0, v.stderr.decode() + message)
            self.assertIn('csd-code="110104"', message)
            self.assertIn('AuditSourceID="ARCA"', message)
        self.assert_phi_free(raw)

    def test_post_forms_match_the_get_forms_and_take_the_patient_in_the_body(self):
        pid = str(self.ct.PatientID)
        status, got, _ = self.auditor.request(
            "GET", f"/api/v1/audit?patient_id={pid}&action=retrieve")
        self.assertEqual(status, 200, got)
        self.assertTrue(got["records"], got)
        self.assertTrue(all(r["studies"] == [str(self.ct.StudyInstanceUID)]
                            for r in got["records"]), got)
        status, posted, _ = self.auditor.request(
            "POST", "/api/v1/audit/search", {"patient_id": pid, "action": "retrieve"})
        self.assertEqual(status, 200, posted)
        self.assertEqual(posted["records"], got["records"])
        # Numbers may be sent as numbers; paging answers the same way.
        status, paged, _ = self.auditor.request("POST", "/api/v1/audit/search",
                                                {"limit": 2, "after": 0})
        self.assertEqual(status, 200, paged)
        self.assertEqual([r["seq"] for r in paged["records"]], [1, 2])
        self.assertEqual(paged["next_after"], 2)
        # Newest first (the web app's order), paged with `before`, is the same trail reversed
        # (bounded by the newest record seen: every search adds a record of its own).
        status, oldest, _ = self.auditor.request("GET", "/api/v1/audit?limit=1000")
        self.assertEqual(status, 200, oldest)
        self.assertIsNone(oldest["next_after"])
        seqs, before = [], oldest["records"][-1]["seq"] + 1
        for _ in range(100):
            status, page, _ = self.auditor.request(
                "POST", "/api/v1/audit/search", {"order": "newest", "limit": 3, "before": before})
            self.assertEqual(status, 200, page)
            self.assertNotIn("next_after", page)
            seqs += [r["seq"] for r in page["records"]]
            before = page["next_before"]
            if before is None:
                break
        self.assertEqual(seqs, [r["seq"] for r in reversed(oldest["records"])])
        status, _, _ = self.auditor.request("GET", "/api/v1/audit?order=sideways")
        self.assertEqual(status, 400)
        status, raw, _ = self.export(self.auditor, "POST", "jsonl", patient_id=pid,
                                     action="retrieve")
        self.assertEqual(status, 200, raw)
        lines = [json.loads(line) for line in raw.decode().splitlines()]
        self.assertEqual([r["seq"] for r in lines], [r["seq"] for r in got["records"]])
        self.assertNotIn(pid.encode(), raw)
        status, raw, _ = self.export(self.auditor, "POST", "dicom", patient_id="nobody")
        self.assertEqual((status, raw), (200, b""))
        # The POST forms need the CSRF token like every unsafe call of a session.
        status, _, _ = self.auditor.request("POST", "/api/v1/audit/search", {}, csrf=False)
        self.assertEqual(status, 403)

    def test_bad_requests_and_other_roles_are_refused(self):
        status, body, _ = self.export(self.auditor, "GET", "csv")
        self.assertEqual(status, 400, body)
        self.assertIn("jsonl or dicom", body["message"])
        status, body, _ = self.auditor.request("POST", "/api/v1/audit/search", {"limit": "x"})
        self.assertEqual(status, 400, body)
        status, body, _ = self.auditor.request("POST", "/api/v1/audit/search", {"actor": [1]})
        self.assertEqual(status, 400, body)
        rad, _ = self.users["radiologist"]
        for method in ("GET", "POST"):
            self.assertEqual(self.export(rad, method, "jsonl")[0], 403)
        self.assertEqual(rad.request("POST", "/api/v1/audit/search", {})[0], 403)
        self.assertEqual(Client(self.arca.http_port).request("GET", "/api/v1/audit/export")[0],
                         401)
        # The refused export is in the trail as a failure of that radiologist.
        _, rad_actor = self.users["radiologist"]
        status, body, _ = self.admin.request(
            "POST", "/api/v1/audit/search",
            {"actor": rad_actor, "action": "audit_read", "outcome": "failure"})
        self.assertEqual(status, 200, body)
        self.assertTrue(body["records"], body)


if __name__ == "__main__":
    harness.main()
