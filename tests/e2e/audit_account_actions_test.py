#!/usr/bin/python3
"""Each account and configuration change over the JSON API finds exactly its audit record
(issue 6): API token create and revoke, DICOM peer add and remove, a tenant's settings, a
password change, a second-factor reset by an admin, sign-out and a lockout. Actor, action,
outcome, error code, detail, client address and request id are checked on each record.
"""
import unittest

import harness
from api_client import Client, sign_in_new_user
from audit_records import AuditReader, check_record

PASSWORD = "correct-horse-battery-staple-9"
NEW_PASSWORD = "another-horse-battery-staple-10"


class AuditAccountActionsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        cls.arca.serve()
        otp = cls.arca.first_admin_password()
        cls.codes = set()
        cls.admin, _, _ = sign_in_new_user(cls.arca.http_port, "admin", otp, PASSWORD, cls.codes)
        cls.admin_actor = cls.admin.request("GET", "/api/v1/me")[1]["actor"]
        cls.trail = AuditReader(cls.admin)

    @classmethod
    def tearDownClass(cls):
        cls.arca.cleanup()

    def new_user(self, name):
        """A technologist who completed the first sign-in: (client, actor)."""
        status, body, _ = self.admin.request("POST", "/api/v1/users",
                                             {"username": name, "roles": ["technologist"]})
        self.assertEqual(status, 201, body)
        client, _, _ = sign_in_new_user(self.arca.http_port, name, body["one_time_password"],
                                        PASSWORD, self.codes)
        uid = body["user"]["id"]
        return client, f"user:{uid}", uid

    def one(self, client, method, path, body=None, status=200, tenant="default", **expected):
        """Performs the request; the answer and the one record it added, checked against
        `expected`."""
        self.trail.new_records()
        got, answer, hdrs = client.request(method, path, body)
        self.assertEqual(got, status, answer)
        records = self.trail.new_records()
        self.assertEqual(len(records), 1, records)
        if tenant is not None:
            expected["tenant"] = tenant
        check_record(self, records[0], request_id=hdrs["x-request-id"],
                     patients=[], studies=[], instances=[], **expected)
        return answer, records[0]

    def test_token_create_and_revoke(self):
        client, actor, _ = self.new_user("tokens")
        token, record = self.one(client, "POST", "/api/v1/tokens",
                                 {"name": "bridge", "permissions": ["study.query"]}, status=201,
                                 actor=actor, action="admin", outcome="success")
        self.assertEqual(record["detail"], f"token created: token:{token['id']} for {actor}")
        self.one(client, "DELETE", f"/api/v1/tokens/{token['id']}", status=204, actor=actor,
                 action="admin", outcome="success", detail=f"token revoked: token:{token['id']}")
        # The revoked token used again: refused, and recorded against the token in its tenant
        # (once a minute at most); an unknown token names no one and leaves no record.
        bearer = Client(self.arca.http_port, bearer=token["token"])
        for _ in range(3):
            self.trail.new_records()
            status, _, hdrs = bearer.request("GET", "/api/v1/me")
            self.assertEqual(status, 401)
            if _ == 0:
                records = self.trail.new_records()
                self.assertEqual(len(records), 1, records)
                check_record(self, records[0], request_id=hdrs["x-request-id"], tenant="default",
                             actor=f"token:{token['id']}", action="login", outcome="failure",
                             error_code="unauthenticated",
                             detail="API token refused: API token revoked")
        self.assertEqual(self.trail.new_records(), [])
        stranger = Client(self.arca.http_port, bearer="arca_" + "0" * 64)
        self.assertEqual(stranger.request("GET", "/api/v1/me")[0], 401)
        self.assertEqual(self.trail.new_records(), [])

    def test_peer_add_and_remove(self):
        self.one(self.admin, "POST", "/api/v1/peers",
                 {"ae_title": "CT1", "host": "127.0.0.1", "allow": ["store"]}, status=201,
                 actor=self.admin_actor, action="admin", outcome="success",
                 detail="peer added: CT1 (tenant default)")
        self.one(self.admin, "DELETE", "/api/v1/peers/CT1", status=204, actor=self.admin_actor,
                 action="admin", outcome="success", detail="peer removed: CT1")
        self.one(self.admin, "DELETE", "/api/v1/peers/CT1", status=404, actor=self.admin_actor,
                 action="admin", outcome="failure", error_code="not_found",
                 detail="peer removed: CT1")

    def test_tenant_settings_change(self):
        self.one(self.admin, "PATCH", "/api/v1/tenants/default", {"referring_name_match": True},
                 actor=self.admin_actor, action="admin", outcome="success",
                 detail="tenant settings of default: referring-name match on")

    def test_password_change(self):
        client, actor, _ = self.new_user("changer")
        self.one(client, "POST", "/api/v1/me/password",
                 {"current": PASSWORD, "new": NEW_PASSWORD}, actor=actor, action="admin",
                 outcome="success", detail="password change; all sessions revoked")

    def test_second_factor_reset_by_an_admin(self):
        _, actor, uid = self.new_user("lostphone")
        self.one(self.admin, "POST", f"/api/v1/users/{uid}/second-factor-reset", status=204,
                 actor=self.admin_actor, action="admin", outcome="success",
                 detail=f"second factor reset: {actor}")

    def test_logout(self):
        client, actor, _ = self.new_user("leaver")
        self.one(client, "POST", "/api/v1/auth/logout", status=204, actor=actor,
                 action="logout", outcome="success", detail="signed out")

    def test_lockout(self):
        _, actor, _ = self.new_user("forgetful")
        anonymous = Client(self.arca.http_port)
        # A sign-in is recorded before any session, in the tenant of the account tried.
        for _ in range(5):
            self.one(anonymous, "POST", "/api/v1/auth/login",
                     {"username": "forgetful", "password": "wrong-password-0"}, status=401,
                     tenant="default", actor=actor, action="login", outcome="failure",
                     error_code="unauthenticated", detail="password sign-in refused")
        # Locked now: even the right password is refused, and the record says why.
        self.one(anonymous, "POST", "/api/v1/auth/login",
                 {"username": "forgetful", "password": PASSWORD}, status=429, tenant="default",
                 actor=actor,
                 action="login", outcome="failure", error_code="rate_limited",
                 detail="sign-in refused: locked out")
        # An unknown username: no account, no tenant, and the name never in clear.
        self.one(anonymous, "POST", "/api/v1/auth/login",
                 {"username": "nobody-here", "password": "wrong-password-0"}, status=401,
                 tenant="", actor="anonymous", action="login", outcome="failure",
                 error_code="unauthenticated", detail="password sign-in refused")


if __name__ == "__main__":
    harness.main()
