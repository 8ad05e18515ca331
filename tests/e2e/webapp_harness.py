"""Shared set-up of the browser suites (webapp_*_test.py): an `arca serve` on loopback with its
first admin's one-time password read from the server's output, and a runner for one
playwright-core script under tests/e2e/webapp/ (shared pieces in webapp/common.cjs).
Screenshots of each suite go to <build>/webapp-screenshots/<suite>/."""
import json
import os
import shutil
import subprocess

import harness

TEST_FILES = os.path.join(harness.PYDICOM_DATA, "test_files")
HERE = os.path.dirname(os.path.abspath(__file__))
WEB_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "web"))
CHROMIUM = "/usr/bin/chromium"


def serve_with_first_admin(arca, extra=()):
    """Starts `arca serve`; returns the first admin's one-time password it prints."""
    arca.serve(extra=extra)
    return arca.first_admin_password()


def shots_dir(suite):
    """A fresh <build>/webapp-screenshots/<suite>/ for this suite's screenshots."""
    build = os.path.dirname(os.path.dirname(os.path.dirname(harness.ARCA)))
    shots = os.path.join(build, "webapp-screenshots", suite)
    shutil.rmtree(shots, ignore_errors=True)
    os.makedirs(shots)
    return shots


def run_browser(test, arca, script, shots, expect=None, env=None, timeout=420):
    """Runs tests/e2e/webapp/<script> with node against `arca`; fails `test` on a non-zero exit."""
    full_env = dict(os.environ, ARCA_URL=f"https://127.0.0.1:{arca.http_port}", SHOTS_DIR=shots,
                    WEB_DIR=WEB_DIR, CHROMIUM=CHROMIUM, EXPECT=json.dumps(expect or {}),
                    **(env or {}))
    p = subprocess.run(["node", os.path.join(HERE, "webapp", script)], env=full_env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    out = p.stdout.decode(errors="replace")
    print(out)
    test.assertEqual(p.returncode, 0, f"browser checks of {script} failed (see above)")
    return out
