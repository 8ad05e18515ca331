#!/usr/bin/python3
"""Accounts end to end over real HTTPS: the first-run admin (one-time password printed by
`arca serve`, forced password change and TOTP enrolment), the sign-in flow and every refusal
(wrong password, password without TOTP, replayed code, recovery code twice, lockout, CSRF
missing, signed out), API tokens (bearer, revoked, other tenant), referring physicians' study
grants, and that no password, token, TOTP secret or session id reaches the logs or the data
directory in clear.
"""
import os
import subprocess
import unittest

import harness
from api_client import Client, sign_in_new_user, totp, wait_for_fresh_step

PASSWORD = "correct-horse-battery-staple-9"
CT = os.path.join(harness.PYDICOM_DATA, "test_files", "CT_small.dcm")
MR = os.path.join(harness.PYDICOM_DATA, "test_files", "MR_small.dcm")


REFERRED = "1.2.826.0.1.3680043.8.498.77"


def referred_copy(folder):
    """CT_small in a study of its own whose ReferringPhysicianName is Smith^Anna."""
    import pydicom
    ds = pydicom.dcmread(CT)
    ds.ReferringPhysicianName = "Smith^Anna"
    ds.StudyInstanceUID = REFERRED + ".1"
    ds.SeriesInstanceUID = REFERRED + ".2"
    ds.SOPInstanceUID = REFERRED + ".3"
    ds.file_meta.MediaStorageSOPInstanceUID = REFERRED + ".3"
    out = os.path.join(folder, "referred.dcm")
    ds.save_as(out)
    return out


def study_uid(path):
    import pydicom
    return str(pydicom.dcmread(path, stop_before_pixels=True).StudyInstanceUID)


class AccountsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        cls.arca.run("import", CT, MR, referred_copy(cls.arca.root), check=0)
        cls.arca.run("tenant", "add", "north", check=0)
        cls.arca.run("tenant", "set", "default", "--referring-name-match", "on", check=0)
        cls.arca.serve()
        cls.admin_otp = cls.arca.first_admin_password()
        cls.secrets = {cls.admin_otp}
        cls.admin, cls.admin_totp, cls.admin_recovery = sign_in_new_user(
            cls.arca.http_port, "admin", cls.admin_otp, PASSWORD, set())
        cls.secrets.add(cls.admin_totp)
        cls.secrets.update(cls.admin_recovery)

    @classmethod
    def tearDownClass(cls):
        cls.arca.cleanup()

    def add_user(self, username, roles, **extra):
        status, body, _ = self.admin.request("POST", "/api/v1/users",
                                             {"username": username, "roles": roles, **extra})
        self.assertEqual(status, 201, body)
        if "one_time_password" in body:
            self.secrets.add(body["one_time_password"])
        return body

    def new_session(self, username, roles, **extra):
        added = self.add_user(username, roles, **extra)
        c, secret, codes = sign_in_new_user(self.arca.http_port, username,
                                            added["one_time_password"], PASSWORD, set())
        self.secrets.update([secret] + codes if secret else [])
        self.secrets.add(c.session)
        return c, secret, codes, added["user"]["id"]

    def test_first_admin_must_finish_every_step(self):
        c = Client(self.arca.http_port)
        status, body, _ = c.login("admin", self.admin_otp)
        self.assertEqual(status, 401)  # the one-time password was replaced
        self.assertEqual(body["message"] if isinstance(body, dict) else "",
                         "wrong username or password")
        status, body, _ = self.admin.request("GET", "/api/v1/me")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["step"], "done")
        self.assertIn("admin.users", body["permissions"])
        self.assertEqual(len(self.admin_recovery), 10)

    def test_pending_steps_grant_nothing(self):
        added = self.add_user("pending", ["radiologist"])
        c = Client(self.arca.http_port)
        status, body, _ = c.login("pending", added["one_time_password"])
        self.assertEqual((status, body["step"]), (200, "change_password"))
        for path in ["/dicom-web/studies", "/api/v1/users", "/api/v1/tokens"]:
            status, body, _ = c.request("GET", path)
            self.assertEqual(status, 401, path)
            self.assertIn("sign-in not complete", body["message"])
        status, body, _ = c.request("POST", "/api/v1/me/password",
                                    {"current": added["one_time_password"], "new": "password1234"})
        self.assertEqual(status, 400)
        self.assertIn("password", body["message"])
        status, body, _ = c.request("POST", "/api/v1/me/password",
                                    {"current": added["one_time_password"], "new": PASSWORD})
        self.assertEqual((status, body["step"]), (200, "enroll_second_factor"))
        status, _, _ = c.request("GET", "/dicom-web/studies")
        self.assertEqual(status, 401)  # still owes the second factor
        status, body, _ = c.request("POST", "/api/v1/me/second-factor")
        self.assertEqual(status, 200)
        self.assertTrue(body["otpauth_uri"].startswith("otpauth://totp/Arca:pending?secret="))
        self.assertTrue(body["qr_svg"].startswith("<svg"))
        self.secrets.add(body["secret"])
        status, body, _ = c.request("POST", "/api/v1/me/second-factor/confirm", {"code": "000000"})
        self.assertEqual(status, 401)

    def test_sign_in_refusals_and_happy_path(self):
        c, secret, codes, _ = self.new_session("rad1", ["radiologist"])
        used = {totp(secret)}
        # Wrong password, and an unknown user, get the same answer.
        s1, b1, _ = Client(self.arca.http_port).login("rad1", "not-the-password-at-all")
        s2, b2, _ = Client(self.arca.http_port).login("nobody", PASSWORD)
        self.assertEqual((s1, s2), (401, 401))
        self.assertEqual(b1["message"], b2["message"])
        # Right password without the second factor: nothing but the second-factor step.
        c2 = Client(self.arca.http_port)
        status, body, _ = c2.login("rad1", PASSWORD)
        self.assertEqual((status, body["step"]), (200, "second_factor"))
        self.assertEqual(c2.request("GET", "/dicom-web/studies")[0], 401)
        # A wrong code, then a real one; the same code again is refused (replay).
        self.assertEqual(c2.request("POST", "/api/v1/auth/second-factor",
                                    {"code": "123456"})[0], 401)
        code = wait_for_fresh_step(used, secret)
        status, body, _ = c2.request("POST", "/api/v1/auth/second-factor", {"code": code})
        self.assertEqual((status, body["step"]), (200, "done"))
        self.assertEqual(c2.request("GET", "/dicom-web/studies")[0], 200)
        c3 = Client(self.arca.http_port)
        c3.login("rad1", PASSWORD)
        status, body, _ = c3.request("POST", "/api/v1/auth/second-factor", {"code": code})
        self.assertEqual(status, 401)
        self.assertIn("already used", body["message"])
        # A recovery code works once.
        status, body, _ = c3.request("POST", "/api/v1/auth/second-factor", {"code": codes[0]})
        self.assertEqual((status, body["step"]), (200, "done"))
        c4 = Client(self.arca.http_port)
        c4.login("rad1", PASSWORD)
        status, body, _ = c4.request("POST", "/api/v1/auth/second-factor", {"code": codes[0]})
        self.assertEqual(status, 401)
        self.assertIn("already used", body["message"])
        # CSRF: a cookie-authenticated change without the token is refused.
        status, body, _ = c2.request("POST", "/api/v1/tokens",
                                     {"name": "x", "permissions": ["study.query"]}, csrf=False)
        self.assertEqual(status, 403)
        self.assertIn("CSRF", body["message"])
        # STOW-RS of multipart/related (what OHIF sends to save measurements) needs no token:
        # no other site can send that content type without a preflight.
        with open(CT, "rb") as f:
            part = f.read()
        body = (b"--b\r\nContent-Type: application/dicom\r\n\r\n" + part + b"\r\n--b--\r\n")
        status, _, _ = c2.request("POST", "/dicom-web/studies", body, csrf=False, headers={
            "Content-Type": 'multipart/related; type="application/dicom"; boundary=b'})
        self.assertEqual(status, 200)
        status, _, _ = c2.request("POST", "/dicom-web/studies", b"{}", csrf=False,
                                  headers={"Content-Type": "application/json"})
        self.assertEqual(status, 403)
        # Signing out ends the session.
        self.assertEqual(c2.request("POST", "/api/v1/auth/logout")[0], 204)
        self.assertEqual(c2.request("GET", "/api/v1/me")[0], 401)

    def test_lockout_after_repeated_failures(self):
        self.add_user("locky", ["front_desk"])
        for _ in range(5):
            status, _, _ = Client(self.arca.http_port).login("locky", "wrong-wrong-wrong-1")
            self.assertEqual(status, 401)
        status, body, _ = Client(self.arca.http_port).login("locky", "wrong-wrong-wrong-1")
        self.assertEqual(status, 429)
        self.assertIn("locked", body["message"])

    def test_api_tokens(self):
        c, _, _, _ = self.new_session("tech1", ["technologist"])
        status, body, _ = c.request("POST", "/api/v1/tokens",
                                    {"name": "router", "permissions": ["study.query"]})
        self.assertEqual(status, 201, body)
        token, token_id = body["token"], body["id"]
        self.secrets.add(token)
        bearer = Client(self.arca.http_port, bearer=token)
        status, body, _ = bearer.request("GET", "/dicom-web/studies")
        self.assertEqual(status, 200)
        self.assertEqual(len(body), 3)
        self.assertEqual(bearer.request("GET", f"/dicom-web/studies/{study_uid(CT)}")[0], 403)
        # More than the creator holds is refused; listing never shows values.
        status, body, _ = c.request("POST", "/api/v1/tokens",
                                    {"name": "x", "permissions": ["admin.users"]})
        self.assertEqual(status, 403)
        status, body, _ = c.request("GET", "/api/v1/tokens")
        self.assertEqual(status, 200)
        self.assertNotIn(token, str(body))
        self.assertEqual(c.request("DELETE", f"/api/v1/tokens/{token_id}")[0], 204)
        status, body, _ = bearer.request("GET", "/dicom-web/studies")
        self.assertEqual(status, 401)
        self.assertIn("revoked", body["message"])

    def test_other_tenant_sees_nothing(self):
        added = self.add_user("north-rad", ["radiologist"], tenant="north")
        c, _, _ = sign_in_new_user(self.arca.http_port, "north-rad", added["one_time_password"],
                                   PASSWORD, set())
        status, body, _ = c.request("GET", "/dicom-web/studies")
        self.assertEqual((status, body), (200, []))
        status, _, _ = c.request("GET", f"/dicom-web/studies/{study_uid(CT)}/metadata")
        self.assertEqual(status, 404)
        status, _, _ = c.request("GET", "/api/v1/users")
        self.assertEqual(status, 403)

    def test_referring_sees_studies_that_name_them(self):
        c, _, _, _ = self.new_session("smith", ["referring"], linked_name="Smith^Anna")
        status, body, _ = c.request("GET", "/dicom-web/studies")
        self.assertEqual([s["0020000D"]["Value"][0] for s in body], [REFERRED + ".1"])
        self.assertEqual(
            c.request("GET", f"/dicom-web/studies/{study_uid(CT)}/metadata")[0], 404)

    def test_referring_sees_granted_studies_only(self):
        c, _, _, uid = self.new_session("doc", ["referring"])
        self.assertEqual(c.request("GET", "/dicom-web/studies")[1], [])
        self.assertEqual(
            c.request("GET", f"/dicom-web/studies/{study_uid(CT)}/metadata")[0], 404)
        status, _, _ = self.admin.request("POST", f"/api/v1/users/{uid}/grants",
                                          {"study": study_uid(CT)})
        self.assertEqual(status, 201)
        status, body, _ = c.request("GET", "/dicom-web/studies")
        self.assertEqual([s["0020000D"]["Value"][0] for s in body], [study_uid(CT)])
        self.assertEqual(
            c.request("GET", f"/dicom-web/studies/{study_uid(CT)}/metadata")[0], 200)
        self.assertEqual(
            c.request("GET", f"/dicom-web/studies/{study_uid(MR)}/metadata")[0], 404)

    def test_admin_resets_and_disables(self):
        c, _, _, uid = self.new_session("temp", ["technologist"])
        self.assertEqual(self.admin.request("POST",
                                            f"/api/v1/users/{uid}/second-factor-reset")[0], 204)
        self.assertEqual(c.request("GET", "/api/v1/me")[0], 401)  # sessions ended
        status, body, _ = self.admin.request("PATCH", f"/api/v1/users/{uid}", {"disabled": True})
        self.assertEqual((status, body["disabled"]), (200, True))
        status, body, _ = Client(self.arca.http_port).login("temp", PASSWORD)
        self.assertEqual(status, 403)

    def test_admin_manages_dicom_peers_live(self):
        def echo(aet):
            return subprocess.run(["echoscu", "-aet", aet, "-aec", "ARCA", "127.0.0.1",
                                   str(self.arca.dicom_port)], capture_output=True, timeout=60)
        self.assertNotEqual(echo("APIPEER").returncode, 0)
        status, body, _ = self.admin.request("POST", "/api/v1/peers", {
            "ae_title": "APIPEER", "host": "127.0.0.1", "port": 104, "allow": ["store", "find"]})
        self.assertEqual(status, 201, body)
        self.assertEqual(echo("APIPEER").returncode, 0)
        status, body, _ = self.admin.request("GET", "/api/v1/peers")
        self.assertIn("APIPEER", [p["ae_title"] for p in body])
        self.assertEqual(self.admin.request("DELETE", "/api/v1/peers/APIPEER")[0], 204)
        self.assertNotEqual(echo("APIPEER").returncode, 0)
        status, body, _ = self.admin.request("POST", "/api/v1/peers", {
            "ae_title": "BAD", "host": "127.0.0.1", "allow": ["fly"]})
        self.assertEqual(status, 400)

    def test_system_admin_changes_tenant_settings(self):
        status, body, _ = self.admin.request("PATCH", "/api/v1/tenants/north",
                                             {"mfa_required": False})
        self.assertEqual(status, 200, body)
        status, body, _ = self.admin.request("GET", "/api/v1/tenants")
        north = [t for t in body if t["id"] == "north"][0]
        self.assertFalse(north["mfa_required"])
        self.admin.request("PATCH", "/api/v1/tenants/north", {"mfa_required": True})
        self.assertEqual(self.admin.request("PATCH", "/api/v1/tenants/nowhere",
                                            {"mfa_required": True})[0], 404)

    def audit(self, client, **query):
        qs = "&".join(f"{k}={v}" for k, v in query.items())
        status, body, _ = client.request("GET", "/api/v1/audit?" + qs)
        self.assertEqual(status, 200, body)
        return body["records"]

    def test_account_actions_are_audited_and_searchable(self):
        c, _, _, uid = self.new_session("audited", ["radiologist"])
        actor = f"user:{uid}"
        Client(self.arca.http_port).login("audited", "wrong-password-for-audit")
        status, body, _ = c.request("POST", "/api/v1/tokens",
                                    {"name": "t", "permissions": ["study.query"]})
        self.assertEqual(status, 201)
        self.secrets.add(body["token"])
        c.request("DELETE", f"/api/v1/tokens/{body['id']}")
        c.request("POST", "/api/v1/auth/logout")
        records = self.audit(self.admin, actor=actor, limit=100)
        seen = [(r["action"], r["outcome"], r["detail"].split(":")[0].split(";")[0])
                for r in records]
        for want in [("login", "success", "password accepted"),
                     ("login", "failure", "password sign-in refused"),
                     ("admin", "success", "password change"),
                     ("admin", "success", "second factor enrolled"),
                     ("admin", "success", "token created"),
                     ("admin", "success", "token revoked"),
                     ("logout", "success", "signed out")]:
            self.assertIn(want, seen)
        # User management by the admin is recorded with the admin as actor.
        admin_records = self.audit(self.admin, action="admin", outcome="success", limit=1000)
        self.assertTrue(any(r["detail"] == f"user added: {actor}" for r in admin_records))
        # Only audit.read may search; the search itself is audited.
        self.assertEqual(c.request("GET", "/api/v1/audit")[0], 401)
        searches = self.audit(self.admin, action="audit_read", limit=1000)
        self.assertTrue(searches)

    def test_patient_access_report(self):
        import pydicom
        ds = pydicom.dcmread(CT, stop_before_pixels=True)
        status, _, _ = self.admin.request(
            "GET", f"/dicom-web/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}"
                   f"/instances/{ds.SOPInstanceUID}")
        self.assertEqual(status, 200)
        records = self.audit(self.admin, patient_id=str(ds.PatientID), action="retrieve")
        self.assertTrue(records)
        self.assertTrue(all(str(ds.StudyInstanceUID) in r["studies"] for r in records))
        self.assertEqual(records[-1]["actor"], self.admin_actor())
        other = self.audit(self.admin, patient_id="no-such-patient", action="retrieve")
        self.assertEqual(other, [])

    def admin_actor(self):
        return self.admin.request("GET", "/api/v1/me")[1]["actor"]

    def test_zz_no_secret_in_clear_anywhere(self):
        """Runs last (name): every secret handed out above, searched for in every file."""
        self.arca.stop()
        try:
            needles = [s for s in self.secrets if s and len(s) >= 6]
            self.assertGreater(len(needles), 5)
            haystacks = []
            for folder, _, files in os.walk(self.arca.root):
                for name in files:
                    # serve.out is the console, where the first admin password is meant to be.
                    if name.endswith(".key") or name.endswith(".pem") or name == "serve.out":
                        continue
                    with open(os.path.join(folder, name), "rb") as f:
                        haystacks.append((name, f.read()))
            for needle in needles:
                for name, data in haystacks:
                    self.assertNotIn(needle.encode(), data, f"a secret appears in {name}")
        finally:
            self.arca.serve()


if __name__ == "__main__":
    harness.main()
