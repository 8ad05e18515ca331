#!/usr/bin/python3
"""Mutual DICOM TLS end to end, on 127.0.0.1: `arca serve` with a client CA ([dicom] client_ca)
admits echoscu/storescu presenting a certificate that CA signed, refuses a client whose
certificate it did not sign or that presents none, and holds a peer to its pinned certificate
even when the CA signed another one. Arca as a TLS client: a C-MOVE sub-association to a
storescp that itself demands a CA-signed client certificate, and `arca retrieve` (C-GET) from
another Arca's mutual-TLS port.
"""
import glob
import hashlib
import os
import subprocess
import tempfile
import unittest

import pydicom

import harness
from dimse_retrieve_test import StoreScp, study_of, uid_of
from dimse_test import TEST_FILES, dataset_bytes, storescu, tool

CT, MR = "CT_small.dcm", "MR_small.dcm"


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


class Pki:
    """A test CA, certificates it signs, and a self-signed rogue certificate."""

    def __init__(self, root):
        self.dir = tempfile.mkdtemp(prefix="pki-", dir=root)
        self.ca_key, self.ca = self.path("ca.key"), self.path("ca.pem")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", self.ca_key, "-out", self.ca, "-days", "2", "-subj", "/CN=Arca test CA")

    def path(self, name):
        return os.path.join(self.dir, name)

    def issue(self, name, signed=True):
        """(key, certificate) for `name`, signed by the CA or self-signed."""
        key, cert = self.path(name + ".key"), self.path(name + ".pem")
        csr = self.path(name + ".csr")
        if not signed:
            openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=" + name)
            return key, cert
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key, "-out", csr, "-subj", "/CN=" + name)
        openssl("x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey", self.ca_key,
                "-CAcreateserial", "-out", cert, "-days", "2")
        return key, cert


def pin(cert):
    der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"], check=True,
                         capture_output=True).stdout
    return hashlib.sha256(der).hexdigest()


def write_config(arca, key, cert, client_ca=None):
    path = os.path.join(arca.root, "arca.toml")
    with open(path, "w") as f:
        f.write(f'[dicom]\ncertificate = "{cert}"\nprivate_key = "{key}"\n')
        if client_ca:
            f.write(f'client_ca = "{client_ca}"\n')
    return path


class MutualTlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        root = cls.arca.root
        cls.pki = Pki(root)
        cls.server_key, cls.server_cert = cls.pki.issue("arca")
        cls.modality = cls.pki.issue("modality")
        cls.other = cls.pki.issue("other-modality")
        cls.rogue = cls.pki.issue("rogue", signed=False)
        dest_key, dest_cert = cls.pki.issue("dest")
        # A destination that demands a client certificate signed by the CA (storescp's default
        # once it trusts a CA: --require-peer-cert).
        cls.dest = StoreScp(root, "DEST", "+xa", "+B", "+tls", dest_key, dest_cert,
                            "+cf", cls.pki.ca)
        cls.config = write_config(cls.arca, cls.server_key, cls.server_cert, cls.pki.ca)
        for args in (["MODALITY", "--allow", "store,find", "--tls"],
                     ["PINNED", "--allow", "store", "--tls", "--cert-fingerprint",
                      pin(cls.modality[1])],
                     ["MOVER", "--allow", "move"],
                     ["PLAINSTORE", "--allow", "store"],
                     ["DEST", "--allow", "receive", "--port", str(cls.dest.port), "--tls",
                      "--cert-fingerprint", pin(dest_cert)]):
            cls.arca.run("peer", "add", *args, "--host", "127.0.0.1", check=0)
        cls.arca.serve(extra=["--config", cls.config])

    @classmethod
    def tearDownClass(cls):
        cls.dest.stop()
        cls.arca.cleanup()

    def tls(self, identity):
        """DCMTK client options: present `identity` (key, cert) or nothing; trust the CA."""
        options = ["+tls", *identity] if identity else ["+tla"]
        return [*options, "+cf", self.pki.ca]

    def echo(self, aet, identity):
        return tool("echoscu", *self.tls(identity), "-aet", aet, "-aec", "ARCA", "127.0.0.1",
                    str(self.arca.dicom_tls_port))

    def test_client_signed_by_the_ca_is_admitted(self):
        p = self.echo("MODALITY", self.modality)
        self.assertEqual(p.returncode, 0, p.stdout)
        p = storescu("MODALITY", "ARCA", self.arca.dicom_tls_port,
                     [os.path.join(TEST_FILES, CT)], self.tls(self.modality))
        self.assertEqual(p.returncode, 0, p.stdout)

    def test_untrusted_or_missing_client_certificate_is_refused(self):
        for identity in (self.rogue, None):
            p = self.echo("MODALITY", identity)
            self.assertNotEqual(p.returncode, 0, p.stdout)
            self.assertNotIn(b"Association Accepted", p.stdout)
        self.assertIsNone(self.arca.server.poll(), "server died")

    def test_pinned_peer_needs_its_own_certificate_not_just_the_ca(self):
        p = self.echo("PINNED", self.modality)
        self.assertEqual(p.returncode, 0, p.stdout)
        p = self.echo("PINNED", self.other)  # signed by the CA, but not the pinned one
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertIn(b"Calling AE Title Not Recognized", p.stdout)

    def test_move_to_a_destination_that_demands_a_client_certificate(self):
        files = [os.path.join(TEST_FILES, CT)]
        p = storescu("PLAINSTORE", "ARCA", self.arca.dicom_port, files)
        self.assertEqual(p.returncode, 0, p.stdout)
        oracle = StoreScp(self.arca.root, "ORACLE", "+xa", "+B")
        try:
            p = storescu("PLAINSTORE", "ORACLE", oracle.port, files)
            self.assertEqual(p.returncode, 0, p.stdout)
            expected = {uid: dataset_bytes(f) for uid, f in oracle.received().items()}
        finally:
            oracle.stop()
        p = tool("movescu", "-S", "-aet", "MOVER", "-aec", "ARCA", "-aem", "DEST",
                 "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + study_of(CT),
                 "127.0.0.1", str(self.arca.dicom_port))
        self.assertEqual(p.returncode, 0, p.stdout)
        received = self.dest.received()
        self.assertEqual(set(received), {uid_of(CT)})
        self.assertEqual(dataset_bytes(received[uid_of(CT)]), expected[uid_of(CT)])


class RetrieveOverMutualTlsTest(unittest.TestCase):
    """`arca retrieve` (C-GET) from another Arca's DICOM TLS port, both sides authenticated."""

    def test_retrieve_from_a_mutual_tls_archive(self):
        old, new = harness.Arca(), harness.Arca()
        try:
            pki = Pki(old.root)
            old_key, old_cert = pki.issue("old-arca")
            new_key, new_cert = pki.issue("new-arca")
            rogue_key, rogue_cert = pki.issue("rogue", signed=False)
            old_config = write_config(old, old_key, old_cert, pki.ca)
            for args in (["MODALITY", "--allow", "store"],
                         ["NEWARCA", "--allow", "get", "--tls", "--cert-fingerprint",
                          pin(new_cert)]):
                old.run("peer", "add", *args, "--host", "127.0.0.1", check=0)
            old.serve(extra=["--config", old_config])
            files = [os.path.join(TEST_FILES, f) for f in (CT, MR)]
            p = storescu("MODALITY", "ARCA", old.dicom_port, files)
            self.assertEqual(p.returncode, 0, p.stdout)
            # The peer's AE title is the called AE title: the old archive's own, ARCA.
            new.run("peer", "add", "ARCA", "--host", "127.0.0.1", "--port",
                    str(old.dicom_tls_port), "--allow", "find", "--tls", "--cert-fingerprint",
                    pin(old_cert), check=0)
            rogue_config = write_config(new, rogue_key, rogue_cert)
            p = new.run("retrieve", "--config", rogue_config, "--aet", "NEWARCA", "--from",
                        "ARCA", "--study", study_of(CT), check=1)
            self.assertIn(b"ARCA", p.stderr)
            new_config = write_config(new, new_key, new_cert)
            new.run("retrieve", "--config", new_config, "--aet", "NEWARCA", "--from", "ARCA",
                    "--study", study_of(CT), check=0)
            old.stop()
            outs = []
            for arca, config in ((old, old_config), (new, new_config)):
                out = tempfile.mkdtemp(dir=arca.root)
                arca.run("export", "--config", config, "--study", study_of(CT), "--out", out,
                         check=0)
                outs.append(out)
            name = uid_of(CT) + ".dcm"
            self.assertEqual(os.listdir(outs[1]), [name])
            self.assertEqual(dataset_bytes(os.path.join(outs[1], name)),
                             dataset_bytes(os.path.join(outs[0], name)))
            self.assertEqual(len(glob.glob(os.path.join(outs[1], "*"))), 1)
            self.assertEqual(str(pydicom.dcmread(os.path.join(outs[1], name)).SOPInstanceUID),
                             uid_of(CT))
        finally:
            old.cleanup()
            new.cleanup()


if __name__ == "__main__":
    harness.main()
