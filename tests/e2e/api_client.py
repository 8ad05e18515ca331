"""A small HTTPS client for Arca's JSON API, as a browser would use it: keeps the session cookie
and the CSRF token, speaks JSON. Also TOTP (RFC 6238) for signing in. Standard library only."""
import base64
import hashlib
import hmac
import http.client
import json
import re
import ssl
import struct
import time


def totp(secret_b32, at=None, step=30, digits=6):
    """The RFC 6238 code (HMAC-SHA-1) for the base32 secret at unix time `at`."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % (10 ** digits)
    return str(code).zfill(digits)


def wait_for_fresh_step(used_codes, secret):
    """Sleeps until the current TOTP code is not one already used (replay protection)."""
    deadline = time.time() + 35
    while totp(secret) in used_codes and time.time() < deadline:
        time.sleep(0.5)
    return totp(secret)


class Client:
    def __init__(self, port, session=None, bearer=None):
        self.port = port
        self.session = session
        self.bearer = bearer
        self.csrf = None
        self.context = ssl.create_default_context()
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE

    def request(self, method, path, body=None, headers=None, csrf=True):
        """(status, parsed JSON or raw bytes, headers dict with lower-case names)."""
        h = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode() if not isinstance(body, bytes) else body
            h.setdefault("Content-Type", "application/json")
        if self.bearer:
            h["Authorization"] = "Bearer " + self.bearer
        if self.session:
            h["Cookie"] = "arca_session=" + self.session
            if csrf and self.csrf and method not in ("GET", "HEAD"):
                h["X-CSRF-Token"] = self.csrf
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context,
                                           timeout=30)
        try:
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            raw = r.read()
            hdrs = {k.lower(): v for k, v in r.getheaders()}
            for k, v in r.getheaders():
                if k.lower() == "set-cookie":
                    m = re.match(r"arca_session=([^;]*)", v)
                    if m:
                        self.session = m.group(1) or None
        finally:
            conn.close()
        parsed = raw
        kind = hdrs.get("content-type", "")
        if "json" in kind and "ndjson" not in kind and raw:
            parsed = json.loads(raw)
            if isinstance(parsed, dict) and "csrf_token" in parsed:
                self.csrf = parsed["csrf_token"]
        return r.status, parsed, hdrs

    def login(self, username, password):
        return self.request("POST", "/api/v1/auth/login",
                            {"username": username, "password": password})


def sign_in_new_user(port, username, one_time_password, new_password, used_codes):
    """Walks a fresh account through the first sign-in: change password, enrol TOTP.
    Returns (client with a complete session, TOTP secret, recovery codes)."""
    c = Client(port)
    status, body, _ = c.login(username, one_time_password)
    assert status == 200 and body["step"] == "change_password", (status, body)
    status, body, _ = c.request("POST", "/api/v1/me/password",
                                {"current": one_time_password, "new": new_password})
    assert status == 200, (status, body)
    secret = None
    codes = []
    if body["step"] == "enroll_second_factor":
        status, body, _ = c.request("POST", "/api/v1/me/second-factor")
        assert status == 200, (status, body)
        secret = body["secret"]
        code = wait_for_fresh_step(used_codes, secret)
        status, body, _ = c.request("POST", "/api/v1/me/second-factor/confirm", {"code": code})
        assert status == 200, (status, body)
        used_codes.add(code)
        codes = body["recovery_codes"]
    assert body["step"] == "done", body
    return c, secret, codes
