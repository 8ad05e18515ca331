"""Helpers for end-to-end tests that drive the real `arca` binary.

Run with Debian's /usr/bin/python3 (it has python3-pydicom); CTest passes --arca PATH.
Every Arca started here gets its own data directory, key file and loopback ports.
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

PYDICOM_DATA = "/usr/lib/python3/dist-packages/pydicom/data"
SHARED_BENCH = os.path.normpath(
    os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "bench"))

ARCA = None  # set by main()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_ports(count, taken=()):
    """`count` distinct free ports, none of them in `taken` (free_port() twice in a row can
    return the same port once the first socket is closed)."""
    sockets = []
    try:
        while len(sockets) < count:
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            if s.getsockname()[1] in taken:
                s.close()
                continue
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


class PortTaken(AssertionError):
    """arca serve could not bind a port free_port() had found free."""


class Arca:
    """One isolated archive: data dir, root key and log file under a temp folder."""

    def __init__(self, root=None):
        self.root = root or tempfile.mkdtemp(prefix="arca-e2e-")
        self.data_dir = os.path.join(self.root, "data")
        self.key_file = os.path.join(self.root, "secrets", "root.key")
        self.log_path = os.path.join(self.root, "arca.log")
        self.server = None

    def flags(self):
        return ["--data-dir", self.data_dir, "--key-file", self.key_file]

    def run(self, *args, check=None, timeout=600, stdin=None):
        cmd = [ARCA, args[0], *self.flags(), *args[1:]]
        with open(self.log_path, "ab") as log:
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=timeout, stdin=stdin)
            log.write(p.stderr)
        if check is not None and p.returncode != check:
            raise AssertionError(f"{cmd} exited {p.returncode}, wanted {check}\n"
                                 f"stdout: {p.stdout.decode(errors='replace')[-3000:]}\n"
                                 f"stderr: {p.stderr.decode(errors='replace')[-3000:]}")
        return p

    def popen(self, *args, stdout):
        cmd = [ARCA, args[0], *self.flags(), *args[1:]]
        with open(self.log_path, "ab") as log:  # the child keeps its own descriptor
            return subprocess.Popen(cmd, stdout=stdout, stderr=log)

    def serve(self, extra=(), dicom_port=None):
        """dicom_port: a port reserved earlier (peers configured before the server need it).
        A port taken by another test between free_port() and the server's bind (tests run in
        parallel) is retried with fresh ports, twice at most."""
        for attempt in range(3):
            try:
                return self._serve(extra, dicom_port)
            except PortTaken:
                if attempt == 2:
                    raise

    def _serve(self, extra, dicom_port):
        taken = (dicom_port,) if dicom_port else ()
        self.http_port, fresh_dicom, self.dicom_tls_port = free_ports(3, taken)
        self.dicom_port = dicom_port or fresh_dicom
        # Appended: a first run's one-time password printed before a retry must stay readable.
        with open(os.path.join(self.root, "serve.out"), "ab") as out:
            self.server = self.popen("serve", "--bind", "127.0.0.1", "--http-port",
                                     str(self.http_port), "--dicom-port", str(self.dicom_port),
                                     "--dicom-tls-port", str(self.dicom_tls_port), *extra,
                                     stdout=out)
        deadline = time.time() + 30
        waiting = [self.http_port, self.dicom_port, self.dicom_tls_port]
        while time.time() < deadline:
            if self.server.poll() is not None:
                log = self.log()
                if "in use" in log[-2000:]:
                    raise PortTaken(log[-2000:])
                raise AssertionError("arca serve exited early:\n" + log)
            try:
                with socket.create_connection(("127.0.0.1", waiting[0]), timeout=1):
                    waiting.pop(0)
                    if not waiting:
                        return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("arca serve did not start listening")

    def first_admin_password(self, timeout=60):
        """The first admin's one-time password, as `arca serve` prints it on a new archive
        (waits for it: the server may print it after its ports already listen)."""
        deadline = time.time() + timeout
        while True:
            with open(os.path.join(self.root, "serve.out"), "rb") as f:
                parts = f.read().decode(errors="replace").split("one-time password")
            if len(parts) > 1 and parts[1].split():
                return parts[1].split()[0]
            if time.time() > deadline:
                raise AssertionError("no one-time password printed:\n" + self.log()[-3000:])
            time.sleep(0.1)

    def certificate(self):
        """The self-signed certificate `arca serve` generated (HTTPS and DICOM TLS)."""
        return os.path.join(os.path.dirname(self.key_file), "https-certificate.pem")

    def stop(self):
        if self.server and self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        self.server = None

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def curl(url, *extra, timeout=30, stdin=None):
    """HTTPS GET with the real curl; returns (status, body bytes, headers text). stdin: bytes
    for curl's standard input (e.g. with "--data-binary", "@-")."""
    p = subprocess.run(["curl", "-sk", "--max-time", str(timeout), "-D", "-", url, *extra],
                       input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout + 5)
    head, _, body = p.stdout.partition(b"\r\n\r\n")
    lines = head.decode(errors="replace").split("\r\n")
    status = int(lines[0].split()[1]) if lines and lines[0].startswith("HTTP/") else 0
    return status, body, "\n".join(lines[1:])


def parse_list(stdout):
    """Lines of `arca import --list`: (result, uid, name)."""
    rows = []
    for line in stdout.decode(errors="replace").splitlines():
        parts = line.split("\t", 2)
        if len(parts) == 3:
            rows.append(tuple(parts))
    return rows


def main():
    global ARCA
    parser = argparse.ArgumentParser()
    parser.add_argument("--arca", required=True)
    args, rest = parser.parse_known_args()
    ARCA = os.path.abspath(args.arca)
    unittest.main(argv=[sys.argv[0], "-v", *rest])
