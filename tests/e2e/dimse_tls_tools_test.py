#!/usr/bin/python3
"""C-MOVE and C-GET requested over DICOM TLS with DCMTK's own movescu and getscu. Debian's DCMTK
3.6.7 builds those two without TLS options, so each runs through a TLS client tunnel (stunnel4)
into Arca's DICOM TLS port: Arca sees a real TLS association (TLS 1.2+, mutual where configured)
and the peers used here are TLS-only, so the plain port would refuse them. The tunnel checks
Arca's certificate against the one it was given, and presents a client certificate where the
test says so. All on 127.0.0.1; bytes retrieved must equal the bytes stored.
"""
import os
import socket
import subprocess
import tempfile
import time
import unittest

import pydicom

import harness
from dimse_mtls_test import Pki, pin, write_config
from dimse_retrieve_test import StoreScp, study_of, uid_of
from dimse_test import TEST_FILES, dataset_bytes, storescu, tool

CT, MR = "CT_small.dcm", "MR_small.dcm"


class Tunnel:
    """stunnel in client mode: plain TCP on a loopback port in, TLS to `port` out, trusting
    exactly `server_cert`, presenting `identity` (key, cert) when given."""

    def __init__(self, root, port, server_cert, identity=None):
        self.port = harness.free_port()
        folder = tempfile.mkdtemp(prefix="stunnel-", dir=root)
        config = os.path.join(folder, "stunnel.conf")
        lines = ["foreground = yes", "pid =", f"output = {os.path.join(folder, 'stunnel.log')}",
                 "[dicom]", "client = yes", f"accept = 127.0.0.1:{self.port}",
                 f"connect = 127.0.0.1:{port}", f"CAfile = {server_cert}", "verifyPeer = yes",
                 "sslVersionMin = TLSv1.2"]
        if identity:
            lines += [f"key = {identity[0]}", f"cert = {identity[1]}"]
        with open(config, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.process = subprocess.Popen(["stunnel4", config], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if time.time() > deadline or self.process.poll() is not None:
                    raise AssertionError("stunnel did not start")
                time.sleep(0.05)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def move(port, aet, dest, study):
    return tool("movescu", "-v", "-S", "-aet", aet, "-aec", "ARCA", "-aem", dest,
                "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + study,
                "127.0.0.1", str(port))


def get(port, aet, out, study):
    return tool("getscu", "-v", "-S", "+B", "-aet", aet, "-aec", "ARCA", "-od", out,
                "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + study,
                "127.0.0.1", str(port))


def received(folder):
    """{SOP Instance UID: data set bytes} of the files in `folder`."""
    out = {}
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        out[str(pydicom.dcmread(path, stop_before_pixels=True).SOPInstanceUID)] = \
            dataset_bytes(path)
    return out


class Expected:
    """The bytes storescu puts on the wire, as a bit-preserving storescp keeps them."""

    @staticmethod
    def of(root, files):
        oracle = StoreScp(root, "ORACLE", "+xa", "+B")
        try:
            p = storescu("MODALITY", "ORACLE", oracle.port, files)
            assert p.returncode == 0, p.stdout
            return {uid: dataset_bytes(f) for uid, f in oracle.received().items()}
        finally:
            oracle.stop()


class TlsRetrieveTest(unittest.TestCase):
    """Server-authenticated TLS: the tunnel trusts Arca's generated certificate."""

    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        root = cls.arca.root
        cls.files = [os.path.join(TEST_FILES, f) for f in (CT, MR)]
        cls.expected = Expected.of(root, cls.files)
        cls.dest = StoreScp(root, "DEST", "+xa", "+B")
        for args in (["MODALITY", "--allow", "store"],
                     ["TLSMOVER", "--allow", "find,move,get", "--tls"],
                     ["DEST", "--allow", "receive", "--port", str(cls.dest.port)]):
            cls.arca.run("peer", "add", *args, "--host", "127.0.0.1", check=0)
        cls.arca.serve()
        p = storescu("MODALITY", "ARCA", cls.arca.dicom_port, cls.files)
        assert p.returncode == 0, p.stdout
        cls.tunnel = Tunnel(root, cls.arca.dicom_tls_port, cls.arca.certificate())

    @classmethod
    def tearDownClass(cls):
        cls.tunnel.stop()
        cls.dest.stop()
        cls.arca.cleanup()

    def setUp(self):
        self.dest.clear()

    def test_the_tls_only_peer_is_refused_on_the_plain_port(self):
        p = move(self.arca.dicom_port, "TLSMOVER", "DEST", study_of(CT))
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertEqual(self.dest.received(), {})

    def test_move_over_tls_bit_for_bit(self):
        p = move(self.tunnel.port, "TLSMOVER", "DEST", study_of(CT))
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertIn(b"Success", p.stdout)
        got = {uid: dataset_bytes(f) for uid, f in self.dest.received().items()}
        self.assertEqual(set(got), {uid_of(CT)})
        self.assertEqual(got[uid_of(CT)], self.expected[uid_of(CT)])

    def test_get_over_tls_bit_for_bit(self):
        with tempfile.TemporaryDirectory() as out:
            p = get(self.tunnel.port, "TLSMOVER", out, study_of(MR))
            self.assertEqual(p.returncode, 0, p.stdout)
            got = received(out)
        self.assertEqual(set(got), {uid_of(MR)})
        self.assertEqual(got[uid_of(MR)], self.expected[uid_of(MR)])


class MutualTlsRetrieveTest(unittest.TestCase):
    """Mutual TLS: Arca trusts a client CA and the peer is pinned to one client certificate."""

    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        root = cls.arca.root
        cls.pki = Pki(root)
        server_key, server_cert = cls.pki.issue("arca")
        cls.modality = cls.pki.issue("modality")
        cls.other = cls.pki.issue("other-modality")
        cls.files = [os.path.join(TEST_FILES, CT)]
        cls.expected = Expected.of(root, cls.files)
        cls.dest = StoreScp(root, "DEST", "+xa", "+B")
        config = write_config(cls.arca, server_key, server_cert, cls.pki.ca)
        for args in (["MODALITY", "--allow", "store"],
                     ["MTLSMOVER", "--allow", "move,get", "--tls", "--cert-fingerprint",
                      pin(cls.modality[1])],
                     ["DEST", "--allow", "receive", "--port", str(cls.dest.port)]):
            cls.arca.run("peer", "add", *args, "--host", "127.0.0.1", check=0)
        cls.arca.serve(extra=["--config", config])
        p = storescu("MODALITY", "ARCA", cls.arca.dicom_port, cls.files)
        assert p.returncode == 0, p.stdout
        cls.pinned = Tunnel(root, cls.arca.dicom_tls_port, server_cert, cls.modality)
        cls.unpinned = Tunnel(root, cls.arca.dicom_tls_port, server_cert, cls.other)

    @classmethod
    def tearDownClass(cls):
        cls.pinned.stop()
        cls.unpinned.stop()
        cls.dest.stop()
        cls.arca.cleanup()

    def setUp(self):
        self.dest.clear()

    def test_move_and_get_with_the_pinned_client_certificate(self):
        p = move(self.pinned.port, "MTLSMOVER", "DEST", study_of(CT))
        self.assertEqual(p.returncode, 0, p.stdout)
        got = {uid: dataset_bytes(f) for uid, f in self.dest.received().items()}
        self.assertEqual(got, {uid_of(CT): self.expected[uid_of(CT)]})
        with tempfile.TemporaryDirectory() as out:
            p = get(self.pinned.port, "MTLSMOVER", out, study_of(CT))
            self.assertEqual(p.returncode, 0, p.stdout)
            self.assertEqual(received(out), {uid_of(CT): self.expected[uid_of(CT)]})

    def test_another_certificate_of_the_same_ca_is_refused(self):
        p = move(self.unpinned.port, "MTLSMOVER", "DEST", study_of(CT))
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertIn(b"Calling AE Title Not Recognized", p.stdout)
        self.assertEqual(self.dest.received(), {})
        self.assertIsNone(self.arca.server.poll(), "server died")


if __name__ == "__main__":
    harness.main()
