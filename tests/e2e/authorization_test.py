#!/usr/bin/python3
"""The authorization matrix (DESIGN §5), generated from the route table `arca routes` prints:
every route, called over real HTTPS with no credentials, with a signed-out session, with a
session that expired (idle timeout, one minute here), with a revoked token, with a complete
session of each role, and with a token of another tenant, must answer as the design table
says — 401 without valid credentials, 403 without the permission, and 404 (never 403) for
another tenant's study. A route missing from EXPECTED below, or whose
declared access differs from it, fails this test: a new route must be given its access here.
"""
import json
import os
import time
import unittest

import pydicom

import harness
from api_client import Client, sign_in_new_user

PASSWORD = "correct-horse-battery-staple-9"
CT = os.path.join(harness.PYDICOM_DATA, "test_files", "CT_small.dcm")

# DESIGN §5: role -> permissions.
ROLE_PERMISSIONS = {
    "admin": {"study.query", "image.read", "study.write", "document.write", "study.share",
              "study.export", "study.delete", "patient.erase", "audit.read", "admin.users",
              "admin.peers", "admin.settings"},
    "radiologist": {"study.query", "image.read", "study.write", "document.write",
                    "study.share", "study.export"},
    "technologist": {"study.query", "image.read", "study.write", "document.write"},
    "referring": {"study.query", "image.read"},
    "front_desk": {"study.query", "document.write"},
    "auditor": {"audit.read"},
}

Q, R, W = "study.query", "image.read", "study.write"
# (method, path) -> access: "public", "signed_in", "authenticated" or a permission.
EXPECTED = {
    ("GET", "/healthz"): "public",
    ("GET", "/readyz"): "public",
    # The web app shell's static files (no PHI; the shell signs the user in itself).
    ("GET", "/"): "public",
    ("GET", "/app"): "public",
    ("GET", "/app/{*path}"): "public",
    # The OHIF viewer's static files and Arca's generated app-config.js.
    ("GET", "/viewer"): "public",
    ("GET", "/viewer/{*path}"): "public",
    ("GET", "/app-config.js"): "public",
    ("GET", "/{*path}"): "public",
    ("POST", "/api/v1/auth/login"): "public",
    ("POST", "/api/v1/auth/second-factor"): "signed_in",
    ("POST", "/api/v1/auth/logout"): "signed_in",
    ("GET", "/api/v1/me"): "signed_in",
    ("POST", "/api/v1/me/password"): "signed_in",
    ("POST", "/api/v1/me/second-factor"): "signed_in",
    ("POST", "/api/v1/me/second-factor/confirm"): "signed_in",
    ("GET", "/api/v1/users"): "admin.users",
    ("POST", "/api/v1/users"): "admin.users",
    ("GET", "/api/v1/users/{id}"): "admin.users",
    ("PATCH", "/api/v1/users/{id}"): "admin.users",
    ("POST", "/api/v1/users/{id}/password-reset"): "admin.users",
    ("POST", "/api/v1/users/{id}/second-factor-reset"): "admin.users",
    ("GET", "/api/v1/users/{id}/grants"): "admin.users",
    ("POST", "/api/v1/users/{id}/grants"): "admin.users",
    ("DELETE", "/api/v1/users/{id}/grants/{study}"): "admin.users",
    ("GET", "/api/v1/tenants"): "admin.users",
    ("POST", "/api/v1/tenants"): "admin.users",
    ("GET", "/api/v1/tokens"): "authenticated",
    ("POST", "/api/v1/tokens"): "authenticated",
    ("DELETE", "/api/v1/tokens/{id}"): "authenticated",
    ("PATCH", "/api/v1/tenants/{id}"): "admin.users",
    ("GET", "/api/v1/peers"): "admin.peers",
    ("POST", "/api/v1/peers"): "admin.peers",
    ("DELETE", "/api/v1/peers/{ae}"): "admin.peers",
    ("GET", "/api/v1/audit"): "audit.read",
    ("POST", "/api/v1/audit/search"): "audit.read",
    ("GET", "/api/v1/audit/export"): "audit.read",
    ("POST", "/api/v1/audit/export"): "audit.read",
    ("POST", "/api/v1/studies/{study}/documents"): "document.write",
    ("GET", "/api/v1/studies/{study}/archive"): "study.export",
    ("DELETE", "/api/v1/studies/{study}"): "study.delete",
    ("POST", "/api/v1/admin/backups"): "admin.settings",
}
# Routes that also need a system admin (checked after admin.users).
SYSTEM_ADMIN_ONLY = {"/api/v1/tenants", "/api/v1/tenants/{id}", "/api/v1/admin/backups"}
DICOMWEB_QUERY = ["/dicom-web/studies", "/dicom-web/series", "/dicom-web/instances",
                  "/dicom-web/studies/{study}/series", "/dicom-web/studies/{study}/instances",
                  "/dicom-web/studies/{study}/series/{series}/instances"]
DICOMWEB_READ = ["/dicom-web/studies/{study}", "/dicom-web/studies/{study}/metadata",
                 "/dicom-web/studies/{study}/series/{series}",
                 "/dicom-web/studies/{study}/series/{series}/metadata",
                 "/dicom-web/studies/{study}/series/{series}/instances/{instance}",
                 "/dicom-web/studies/{study}/series/{series}/instances/{instance}/metadata"]


def expected_access(method, path):
    if (method, path) in EXPECTED:
        return EXPECTED[(method, path)]
    if path.startswith("/dicom-web/") or path == "/wado":
        if method == "POST":
            return W
        if path in DICOMWEB_QUERY:
            return Q
        return R  # every other DICOMweb GET returns pixels or full metadata
    return None


class AuthorizationMatrixTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        cls.arca.run("import", CT, check=0)
        cls.arca.run("tenant", "add", "north", check=0)
        p = cls.arca.run("routes", check=0)
        cls.routes = [json.loads(line) for line in p.stdout.decode().splitlines()]
        ds = pydicom.dcmread(CT, stop_before_pixels=True)
        cls.params = {"study": str(ds.StudyInstanceUID), "series": str(ds.SeriesInstanceUID),
                      "instance": str(ds.SOPInstanceUID), "frames": "1", "id": "999999",
                      "tag": "7FE00010", "ae": "NOSUCHAE"}
        # A one-minute idle timeout, so the last test can meet a session that really expired.
        cls.config = os.path.join(cls.arca.root, "arca.toml")
        with open(cls.config, "w") as f:
            f.write("[auth]\nidle_timeout_minutes = 1\n")
        cls.arca.serve(["--config", cls.config])
        otp = cls.arca.first_admin_password()
        port = cls.arca.http_port
        cls.admin, _, _ = sign_in_new_user(port, "admin", otp, PASSWORD, set())
        cls.roles = {}
        for role in ROLE_PERMISSIONS:
            cls.roles[role] = cls.user(f"matrix-{role}", [role])
        north = cls.user("matrix-north", ["radiologist"], tenant="north")
        status, body, _ = north.request("POST", "/api/v1/tokens",
                                        {"name": "n", "permissions": [Q, R]})
        assert status == 201, body
        cls.other_tenant = Client(port, bearer=body["token"])
        rad = cls.roles["radiologist"]
        status, body, _ = rad.request("POST", "/api/v1/tokens", {"name": "r", "permissions": [Q]})
        assert status == 201, body
        rad.request("DELETE", f"/api/v1/tokens/{body['id']}")
        cls.revoked = Client(port, bearer=body["token"])
        gone = cls.user("matrix-gone", ["radiologist"])
        gone.request("POST", "/api/v1/auth/logout")
        cls.signed_out = Client(port, session="0" * 64)
        cls.signed_out_real = gone

    @classmethod
    def user(cls, name, roles, tenant=None):
        body = {"username": name, "roles": roles}
        if tenant:
            body["tenant"] = tenant
        status, added, _ = cls.admin.request("POST", "/api/v1/users", body)
        assert status == 201, added
        c, _, _ = sign_in_new_user(cls.arca.http_port, name, added["one_time_password"],
                                   PASSWORD, set())
        return c

    @classmethod
    def tearDownClass(cls):
        cls.arca.cleanup()

    def path(self, template):
        out = template
        for k, v in self.params.items():
            out = out.replace("{" + k + "}", v)
        return out

    def call(self, client, route):
        method = route["method"]
        body = b"{}" if method in ("POST", "PATCH") else None
        status, _, _ = client.request(method, self.path(route["path"]), body=body,
                                      headers={"Content-Type": "application/json"} if body
                                      else None)
        return status

    def test_every_route_is_declared_as_the_design_says(self):
        seen = set()
        for r in self.routes:
            key = (r["method"], r["path"])
            seen.add(key)
            want = expected_access(*key)
            self.assertIsNotNone(want, f"route {key} has no expected access in this test")
            got = r["access"] if r["access"] != "permission" else r["permission"]
            self.assertEqual(got, want, key)
        self.assertTrue(set(EXPECTED) <= seen, set(EXPECTED) - seen)

    def ordered_routes(self):
        # Routes that end the caller's own session go last; deleting the study just before them.
        return sorted(self.routes, key=lambda r: (r["path"] == "/api/v1/auth/logout",
                                                  r["method"] == "DELETE"
                                                  and r["path"] == "/api/v1/studies/{study}"))

    def test_without_valid_credentials_everything_but_public_is_401(self):
        for r in self.ordered_routes():
            for name, client in [("none", Client(self.arca.http_port)),
                                 ("signed-out", self.signed_out),
                                 ("signed-out-real", self.signed_out_real),
                                 ("revoked", self.revoked)]:
                status = self.call(client, r)
                if r["access"] == "public":
                    self.assertNotEqual(status, 401, (name, r))
                else:
                    self.assertEqual(status, 401, (name, r))

    def test_each_role_gets_exactly_its_permissions(self):
        for role, client in self.roles.items():
            for r in self.ordered_routes():
                if r["path"] == "/api/v1/auth/logout":
                    continue
                status = self.call(client, r)
                need = r.get("permission")
                if r["path"] in SYSTEM_ADMIN_ONLY:  # no role makes a system admin
                    self.assertEqual(status, 403, (role, r, status))
                elif need is None or need in ROLE_PERMISSIONS[role]:
                    self.assertNotIn(status, (401, 403), (role, r, status))
                else:
                    self.assertEqual(status, 403, (role, r, status))

    def test_zz_an_expired_session_is_401_everywhere(self):
        """Runs last (name): waits out the one-minute idle timeout of this server."""
        client = self.roles["radiologist"]
        self.assertEqual(client.request("GET", "/api/v1/me")[0], 200)
        time.sleep(62)
        status, body, _ = client.request("GET", "/api/v1/me")
        self.assertEqual(status, 401)
        self.assertIn("inactivity", body["message"])
        for r in self.routes:
            if r["access"] != "public":
                self.assertEqual(self.call(client, r), 401, r)

    def test_another_tenant_never_sees_this_tenants_study(self):
        for r in self.routes:
            if "{study}" not in r["path"] or r["method"] != "GET":
                continue
            if r.get("permission") not in (Q, R):
                continue
            status, body, _ = self.other_tenant.request("GET", self.path(r["path"]))
            self.assertIn(status, (404, 200), r)
            if status == 200:  # a query: an empty answer
                self.assertEqual(body, [], r)


if __name__ == "__main__":
    harness.main()
