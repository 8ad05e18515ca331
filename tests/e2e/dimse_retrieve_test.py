#!/usr/bin/python3
"""C-MOVE and C-GET end to end: `arca serve` sends studies to a storescp started here (movescu)
and back to getscu, bit for bit as stored, or decompressed for a peer that accepts only
uncompressed syntaxes; TLS destinations only with their pinned certificate; unknown
destinations, peers without `move`, and other tenants' studies and destinations are refused.
All on 127.0.0.1.
"""
import glob
import hashlib
import os
import socket
import subprocess
import tempfile
import time
import unittest

import pydicom

import harness
import pack_files
from dimse_test import TEST_FILES, dataset_bytes, storescu, tool

CT = "CT_small.dcm"    # explicit VR little endian
RLE = "SC_rgb_rle.dcm"  # RLE lossless
MR = "MR_small.dcm"
J2K = "JPEG2000.dcm"       # JPEG 2000 (decoded with OpenJPEG)
JPEG = "JPGExtended.dcm"   # JPEG extended; J2K and JPEG share one study and series


def study_of(name):
    return str(pydicom.dcmread(os.path.join(TEST_FILES, name), stop_before_pixels=True)
               .StudyInstanceUID)


class StoreScp:
    """A storescp on a free loopback port writing what it receives into its own folder."""

    def __init__(self, root, aet, *options):
        self.dir = tempfile.mkdtemp(dir=root)
        self.port = harness.free_port()
        self.process = subprocess.Popen(
            ["storescp", *options, "-od", self.dir, "-aet", aet, str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while True:  # until it listens (a fixed sleep is too short on a loaded machine)
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                if time.time() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.05)

    def received(self):
        """{SOP Instance UID: path} of the objects received so far."""
        out = {}
        for f in glob.glob(os.path.join(self.dir, "*")):
            out[str(pydicom.dcmread(f, stop_before_pixels=True).SOPInstanceUID)] = f
        return out

    def clear(self):
        for f in glob.glob(os.path.join(self.dir, "*")):
            os.remove(f)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def uid_of(name):
    return str(pydicom.dcmread(os.path.join(TEST_FILES, name), stop_before_pixels=True)
               .SOPInstanceUID)


class DimseRetrieveTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        root = cls.arca.root
        cls.files = [os.path.join(TEST_FILES, f) for f in (CT, RLE, MR, J2K, JPEG)]
        # The oracle: the bytes storescu puts on the wire, as a bit-preserving storescp keeps them.
        oracle = StoreScp(root, "ORACLE", "+xa", "+B")
        try:
            p = storescu("MODALITY", "ORACLE", oracle.port, cls.files)
            assert p.returncode == 0, p.stdout
            cls.expected = {uid: dataset_bytes(f) for uid, f in oracle.received().items()}
        finally:
            oracle.stop()
        cls.dest = StoreScp(root, "DEST", "+xa", "+B")
        cls.plain = StoreScp(root, "PLAIN", "+B")  # uncompressed syntaxes only
        cls.bdest = StoreScp(root, "BDEST", "+xa", "+B")
        cls.slow = StoreScp(root, "SLOW", "+xa", "--sleep-during", "1")
        # A TLS destination with its own self-signed certificate, pinned in its peer entry.
        key, cert = os.path.join(root, "dest-key.pem"), os.path.join(root, "dest-cert.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                        key, "-out", cert, "-days", "2", "-subj", "/CN=tlsdest"],
                       check=True, capture_output=True)
        der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"],
                             check=True, capture_output=True).stdout
        pin = hashlib.sha256(der).hexdigest()
        cls.tlsdest = StoreScp(root, "TLSDEST", "+xa", "+B", "+tls", key, cert, "-ic")
        cls.arca.run("tenant", "add", "b", check=0)
        for args in (["MODALITY", "--allow", "store"],
                     ["MOVER", "--allow", "find,move,get"],
                     ["NOMOVE", "--allow", "find"],
                     ["MOVEONLY", "--allow", "move"],
                     ["GETONLY", "--allow", "get"],
                     ["BMOVER", "--allow", "move,get", "--tenant", "b"],
                     ["DEST", "--allow", "receive", "--port", str(cls.dest.port)],
                     ["PLAIN", "--allow", "receive", "--port", str(cls.plain.port)],
                     ["BDEST", "--allow", "receive", "--port", str(cls.bdest.port),
                      "--tenant", "b"],
                     ["NORECV", "--allow", "store", "--port", str(cls.dest.port)],
                     ["SLOW", "--allow", "receive", "--port", str(cls.slow.port)],
                     ["TLSDEST", "--allow", "receive", "--port", str(cls.tlsdest.port), "--tls",
                      "--cert-fingerprint", pin],
                     ["BADPIN", "--allow", "receive", "--port", str(cls.tlsdest.port), "--tls",
                      "--cert-fingerprint", "0" * 64],
                     ["NOPIN", "--allow", "receive", "--port", str(cls.tlsdest.port), "--tls"]):
            cls.arca.run("peer", "add", *args, "--host", "127.0.0.1", check=0)
        cls.arca.serve()
        p = storescu("MODALITY", "ARCA", cls.arca.dicom_port, cls.files)
        assert p.returncode == 0, p.stdout

    @classmethod
    def tearDownClass(cls):
        for scp in (cls.dest, cls.plain, cls.bdest, cls.tlsdest, cls.slow):
            scp.stop()
        cls.arca.cleanup()

    def setUp(self):
        for scp in (self.dest, self.plain, self.bdest, self.tlsdest):
            scp.clear()

    def move(self, aet, dest, *keys, model="-S", extra=()):
        args = ["movescu", "-v", *extra, model, "-aet", aet, "-aec", "ARCA", "-aem", dest]
        for k in keys:
            args += ["-k", k]
        return tool(*args, "127.0.0.1", str(self.arca.dicom_port))

    def get(self, aet, out, *keys, extra=()):
        args = ["getscu", "-v", "-S", "+B", *extra, "-aet", aet, "-aec", "ARCA", "-od", out]
        for k in keys:
            args += ["-k", k]
        return tool(*args, "127.0.0.1", str(self.arca.dicom_port))

    def assert_identical(self, received, names):
        want = {uid_of(n) for n in names}
        self.assertEqual(set(received), want)
        for uid, path in received.items():
            self.assertEqual(dataset_bytes(path), self.expected[uid], uid)

    def test_move_study_bit_for_bit(self):
        p = self.move("MOVER", "DEST", "QueryRetrieveLevel=STUDY",
                      "StudyInstanceUID=" + study_of(CT))
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertIn(b"Success", p.stdout)
        self.assert_identical(self.dest.received(), [CT])

    def test_move_series_and_image_patient_root(self):
        ds = pydicom.dcmread(os.path.join(TEST_FILES, MR), stop_before_pixels=True)
        p = self.move("MOVER", "DEST", "QueryRetrieveLevel=SERIES",
                      "StudyInstanceUID=" + str(ds.StudyInstanceUID),
                      "SeriesInstanceUID=" + str(ds.SeriesInstanceUID))
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assert_identical(self.dest.received(), [MR])
        self.dest.clear()
        p = self.move("MOVER", "DEST", "QueryRetrieveLevel=IMAGE",
                      "PatientID=" + str(ds.PatientID),
                      "StudyInstanceUID=" + str(ds.StudyInstanceUID),
                      "SeriesInstanceUID=" + str(ds.SeriesInstanceUID),
                      "SOPInstanceUID=" + str(ds.SOPInstanceUID), model="-P")
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assert_identical(self.dest.received(), [MR])

    def test_move_decompresses_for_an_uncompressed_only_destination(self):
        p = self.move("MOVER", "PLAIN", "QueryRetrieveLevel=STUDY",
                      "StudyInstanceUID=" + study_of(RLE))
        self.assertEqual(p.returncode, 0, p.stdout)
        received = self.plain.received()
        self.assertEqual(set(received), {uid_of(RLE)})
        self.assert_decompressed(received[uid_of(RLE)])

    def test_move_decodes_jpeg_and_jpeg_2000_for_an_uncompressed_only_destination(self):
        p = self.move("MOVER", "PLAIN", "QueryRetrieveLevel=STUDY",
                      "StudyInstanceUID=" + study_of(J2K))
        self.assertEqual(p.returncode, 0, p.stdout)
        received = self.plain.received()
        self.assertEqual(set(received), {uid_of(J2K), uid_of(JPEG)})
        for path in received.values():
            self.assert_decompressed(path)

    def test_move_keeps_compressed_syntaxes_the_destination_accepts(self):
        p = self.move("MOVER", "DEST", "QueryRetrieveLevel=STUDY",
                      "StudyInstanceUID=" + study_of(J2K))
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assert_identical(self.dest.received(), [J2K, JPEG])

    def test_move_honours_cancel_between_sub_operations(self):
        # 10 instances to a destination that takes a second over each: the C-CANCEL sent after
        # the first pending response arrives while sub-operations remain, however loaded the
        # machine is.
        folder = tempfile.mkdtemp(dir=self.arca.root)
        study, series = pydicom.uid.generate_uid(), pydicom.uid.generate_uid()
        for i in range(10):
            ds = pydicom.dcmread(os.path.join(TEST_FILES, CT))
            ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
            ds.SOPInstanceUID = pydicom.uid.generate_uid()
            ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            ds.save_as(os.path.join(folder, f"{i}.dcm"))
        p = storescu("MODALITY", "ARCA", self.arca.dicom_port,
                     sorted(glob.glob(os.path.join(folder, "*.dcm"))))
        self.assertEqual(p.returncode, 0, p.stdout)
        p = self.move("MOVER", "SLOW", "QueryRetrieveLevel=STUDY", "StudyInstanceUID=" + study,
                      extra=["--cancel", "1"])
        self.assertIn(b"SubOperationsTerminatedDueToCancel", p.stdout)
        self.assertLess(len(self.slow.received()), 10)
        p = self.move("MOVER", "DEST", "QueryRetrieveLevel=STUDY",
                      "StudyInstanceUID=" + study_of(CT))
        self.assertIn(b"Success", p.stdout)  # still serving after a cancel

    def test_move_and_get_a_patient_patient_root(self):
        # Two studies of one patient in tenant "default"; BMOVER (tenant b) gets none of them.
        folder = tempfile.mkdtemp(dir=self.arca.root)
        uids = set()
        for i in range(2):
            ds = pydicom.dcmread(os.path.join(TEST_FILES, CT))
            ds.PatientID = "PATMOVE"
            ds.StudyInstanceUID, ds.SeriesInstanceUID = (pydicom.uid.generate_uid(),
                                                         pydicom.uid.generate_uid())
            ds.SOPInstanceUID = pydicom.uid.generate_uid()
            ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            ds.save_as(os.path.join(folder, f"{i}.dcm"))
            uids.add(str(ds.SOPInstanceUID))
        p = storescu("MODALITY", "ARCA", self.arca.dicom_port,
                     sorted(glob.glob(os.path.join(folder, "*.dcm"))))
        self.assertEqual(p.returncode, 0, p.stdout)
        keys = ["QueryRetrieveLevel=PATIENT", "PatientID=PATMOVE"]
        p = self.move("MOVER", "DEST", *keys, model="-P")
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertEqual(set(self.dest.received()), uids)
        out = tempfile.mkdtemp(dir=self.arca.root)
        p = self.get("MOVER", out, *keys, extra=["-P"])
        self.assertEqual(p.returncode, 0, p.stdout)
        got = {str(pydicom.dcmread(f, stop_before_pixels=True).SOPInstanceUID)
               for f in glob.glob(os.path.join(out, "*"))}
        self.assertEqual(got, uids)
        # Patient ID is a unique key: no wildcards. Study Root has no PATIENT level.
        self.dest.clear()
        p = self.move("MOVER", "DEST", "QueryRetrieveLevel=PATIENT", "PatientID=PATMOV*",
                      model="-P")
        self.assertEqual(p.returncode, 0, p.stdout)
        p = self.move("MOVER", "DEST", *keys, model="-S")
        self.assertIn(b"DataSetDoesNotMatchSOPClass", p.stdout)  # A900
        p = self.move("BMOVER", "BDEST", *keys, model="-P")
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertEqual(self.dest.received(), {})
        self.assertEqual(self.bdest.received(), {})

    def assert_decompressed(self, path):
        ds = pydicom.dcmread(path)
        self.assertIn(str(ds.file_meta.TransferSyntaxUID),
                      ("1.2.840.10008.1.2.1", "1.2.840.10008.1.2"))
        frames = int(getattr(ds, "NumberOfFrames", 1) or 1)
        size = ds.Rows * ds.Columns * ds.SamplesPerPixel * ds.BitsAllocated // 8 * frames
        self.assertEqual(len(ds.PixelData), size + (size % 2))

    def test_move_to_a_tls_destination_checks_its_pinned_certificate(self):
        keys = ["QueryRetrieveLevel=STUDY", "StudyInstanceUID=" + study_of(CT)]
        p = self.move("MOVER", "TLSDEST", *keys)
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assert_identical(self.tlsdest.received(), [CT])
        self.tlsdest.clear()
        for dest in ("BADPIN", "NOPIN"):
            p = self.move("MOVER", dest, *keys)
            self.assertIn(b"UnableToProcess", p.stdout, dest)
        self.assertEqual(self.tlsdest.received(), {})

    def test_move_to_unknown_destination_is_refused(self):
        for dest in ("NOBODY", "NORECV", "BDEST"):
            p = self.move("MOVER", dest, "QueryRetrieveLevel=STUDY",
                          "StudyInstanceUID=" + study_of(CT))
            self.assertIn(b"Refused: MoveDestinationUnknown", p.stdout, dest)
        self.assertEqual(self.dest.received(), {})
        self.assertEqual(self.bdest.received(), {})

    def test_move_without_permission_is_refused(self):
        p = self.move("NOMOVE", "DEST", "QueryRetrieveLevel=STUDY",
                      "StudyInstanceUID=" + study_of(CT))
        self.assertIn(b"No valid Presentation Context", p.stdout)  # MOVE context refused
        self.assertEqual(self.dest.received(), {})

    def test_move_and_get_are_separate_permissions(self):
        keys = ["QueryRetrieveLevel=STUDY", "StudyInstanceUID=" + study_of(CT)]
        out = tempfile.mkdtemp(dir=self.arca.root)
        p = self.get("MOVEONLY", out, *keys)
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertEqual(glob.glob(os.path.join(out, "*")), [])
        p = self.move("GETONLY", "DEST", *keys)
        self.assertIn(b"No valid Presentation Context", p.stdout)  # MOVE context refused
        self.assertEqual(self.dest.received(), {})
        p = self.move("MOVEONLY", "DEST", *keys)
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assert_identical(self.dest.received(), [CT])

    def test_other_tenant_cannot_move_the_study(self):
        p = self.move("BMOVER", "BDEST", "QueryRetrieveLevel=STUDY",
                      "StudyInstanceUID=" + study_of(CT))
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertEqual(self.bdest.received(), {})

    def test_get_study_bit_for_bit(self):
        out = tempfile.mkdtemp(dir=self.arca.root)
        p = self.get("MOVER", out, "QueryRetrieveLevel=STUDY", "StudyInstanceUID=" + study_of(CT))
        self.assertEqual(p.returncode, 0, p.stdout)
        received = {str(pydicom.dcmread(f, stop_before_pixels=True).SOPInstanceUID): f
                    for f in glob.glob(os.path.join(out, "*"))}
        self.assert_identical(received, [CT])

    def test_get_decompresses_when_only_uncompressed_is_proposed(self):
        out = tempfile.mkdtemp(dir=self.arca.root)
        p = self.get("MOVER", out, "QueryRetrieveLevel=STUDY",
                     "StudyInstanceUID=" + study_of(RLE))
        self.assertEqual(p.returncode, 0, p.stdout)
        files = glob.glob(os.path.join(out, "*"))
        self.assertEqual(len(files), 1, p.stdout)
        self.assert_decompressed(files[0])

    def test_get_by_other_tenant_returns_nothing(self):
        out = tempfile.mkdtemp(dir=self.arca.root)
        p = self.get("BMOVER", out, "QueryRetrieveLevel=STUDY", "StudyInstanceUID=" + study_of(CT))
        self.assertEqual(glob.glob(os.path.join(out, "*")), [], p.stdout)


class SendTest(unittest.TestCase):
    """`arca send` (a one-shot command on the archive) C-STOREs a study to a receiving peer."""

    def test_send_study(self):
        arca = harness.Arca()
        scps = []
        try:
            files = [os.path.join(TEST_FILES, f) for f in (CT, RLE)]
            oracle = StoreScp(arca.root, "ORACLE", "+xa", "+B")
            scps.append(oracle)
            p = storescu("ARCA", "ORACLE", oracle.port, files)
            self.assertEqual(p.returncode, 0, p.stdout)
            expected = {uid: dataset_bytes(f) for uid, f in oracle.received().items()}
            dest = StoreScp(arca.root, "DEST", "+xa", "+B")
            plain = StoreScp(arca.root, "PLAIN", "+B")
            scps += [dest, plain]
            arca.run("import", *files, check=0)
            for aet, scp in (("DEST", dest), ("PLAIN", plain)):
                arca.run("peer", "add", aet, "--host", "127.0.0.1", "--port", str(scp.port),
                         "--allow", "receive", check=0)
            arca.run("peer", "add", "NORECV", "--host", "127.0.0.1", "--port", str(dest.port),
                     "--allow", "store", check=0)
            arca.run("send", "--study", study_of(CT), "--to", "DEST", check=0)
            received = dest.received()
            self.assertEqual(set(received), {uid_of(CT)})
            self.assertEqual(dataset_bytes(received[uid_of(CT)]), expected[uid_of(CT)])
            arca.run("send", "--study", study_of(RLE), "--to", "PLAIN", check=0)
            received = plain.received()
            self.assertEqual(set(received), {uid_of(RLE)})
            self.assertEqual(str(pydicom.dcmread(received[uid_of(RLE)]).file_meta
                                 .TransferSyntaxUID), "1.2.840.10008.1.2.1")
            p = arca.run("send", "--study", study_of(CT), "--to", "NORECV", check=1)
            self.assertIn(b"unknown destination", p.stderr)
            p = arca.run("send", "--study", "1.2.3.4", "--to", "DEST", check=1)
            self.assertIn(b"no such study", p.stderr)
        finally:
            for scp in scps:
                scp.stop()
            arca.cleanup()


class DecodeAndDamageTest(unittest.TestCase):
    """JPEG 2000 lossless decodes to exactly the uncompressed pixels; a damaged stored object is
    a failed sub-operation, listed in the final B000 response."""

    def test_lossless_jpeg_2000_and_a_damaged_object(self):
        arca = harness.Arca()
        plain = StoreScp(arca.root, "PLAIN", "+B")
        try:
            j2k = os.path.join(TEST_FILES, "MR_small_jp2klossless.dcm")
            reference = pydicom.dcmread(os.path.join(TEST_FILES, MR))
            arca.run("import", j2k, check=0)
            arca.run("peer", "add", "PLAIN", "--host", "127.0.0.1", "--port", str(plain.port),
                     "--allow", "receive", check=0)
            arca.run("peer", "add", "MOVER", "--host", "127.0.0.1", "--allow", "move", check=0)
            study = str(reference.StudyInstanceUID)
            arca.run("send", "--study", study, "--to", "PLAIN", check=0)
            (path,) = plain.received().values()
            decoded = pydicom.dcmread(path)
            self.assertEqual(str(decoded.file_meta.TransferSyntaxUID), "1.2.840.10008.1.2.1")
            self.assertEqual(decoded.PixelData, reference.PixelData)
            plain.clear()
            # Damage the one stored object: the move fails it and says which one.
            blobs = list(pack_files.committed(arca.data_dir).values())
            self.assertEqual(len(blobs), 1)
            pack_files.flip_byte(blobs[0], -100)
            arca.serve()
            p = tool("movescu", "-v", "-d", "-S", "-aet", "MOVER", "-aec", "ARCA", "-aem", "PLAIN",
                     "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + study,
                     "127.0.0.1", str(arca.dicom_port))
            self.assertIn(b"SubOperationsCompleteOneOrMoreFailures", p.stdout)
            self.assertIn(str(reference.SOPInstanceUID).encode(), p.stdout)
            self.assertEqual(plain.received(), {})
        finally:
            plain.stop()
            arca.cleanup()


class RetrieveFromPeerTest(unittest.TestCase):
    """`arca retrieve --from AE` pulls a study with C-GET from another archive (here: an Arca)."""

    def test_retrieve_study_from_another_archive(self):
        old = harness.Arca()
        new = harness.Arca()
        try:
            files = [os.path.join(TEST_FILES, f) for f in (CT, MR)]
            old.run("peer", "add", "MODALITY", "--host", "127.0.0.1", "--allow", "store",
                    check=0)
            old.run("peer", "add", "NEWARCA", "--host", "127.0.0.1", "--allow", "get", check=0)
            old.serve()
            p = storescu("MODALITY", "ARCA", old.dicom_port, files)
            self.assertEqual(p.returncode, 0, p.stdout)
            new.run("peer", "add", "ARCA", "--host", "127.0.0.1", "--port", str(old.dicom_port),
                    "--allow", "find", check=0)
            p = new.run("retrieve", "--aet", "NEWARCA", "--from", "ARCA", "--study",
                        study_of(CT), check=0)
            p = new.run("retrieve", "--aet", "NEWARCA", "--from", "NOBODY", "--study",
                        study_of(CT), check=1)
            self.assertIn(b"unknown source", p.stderr)
            old.stop()
            for arca in (old, new):
                arca.out = tempfile.mkdtemp(dir=arca.root)
                arca.run("export", "--study", study_of(CT), "--out", arca.out, check=0)
            name = uid_of(CT) + ".dcm"
            self.assertEqual(dataset_bytes(os.path.join(new.out, name)),
                             dataset_bytes(os.path.join(old.out, name)))
            self.assertEqual(os.listdir(new.out), [name])
        finally:
            old.cleanup()
            new.cleanup()


if __name__ == "__main__":
    harness.main()
