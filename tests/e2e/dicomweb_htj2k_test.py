#!/usr/bin/python3
"""HTJ2K served and decoded, end to end (issue 4): the fixtures in tests/data (OpenJPH-encoded
lossless HTJ2K: a 16-bit MONOCHROME2 and an 8-bit YBR_RCT image in 1.2.840.10008.1.2.4.201, a
two-frame 16-bit image in .202, with their source pixels in .raw files) are stored with STOW-RS;
then frames come back decoded to
exactly the source pixels or as the stored codestream, /rendered, /thumbnail and WADO-URI
image/jpeg are JPEGs of the right size, and an instance retrieve in Explicit VR Little Endian
carries the source pixels. `arca send` to a peer that accepts only uncompressed syntaxes decodes
them the same way.
"""
import io
import json
import os
import re
import unittest

import pydicom

import harness
from dimse_retrieve_test import StoreScp

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
EXPLICIT_LE = "1.2.840.10008.1.2.1"
STUDY = "2.25.318001482094713870126384129871238411"
SERIES = "2.25.318001482094713870126384129871238412"
# name -> (SOP Instance UID, columns, rows, decoded Photometric Interpretation)
IMAGES = {
    "htj2k_mono16": ("2.25.318001482094713870126384129871238413", 64, 48, "MONOCHROME2"),
    "htj2k_rgb8": ("2.25.318001482094713870126384129871238414", 32, 24, "RGB"),
    "htj2k_2frames": ("2.25.318001482094713870126384129871238415", 32, 16, "MONOCHROME2"),
}
FRAMES = {"htj2k_mono16": 1, "htj2k_rgb8": 1, "htj2k_2frames": 2}
SYNTAX = {"htj2k_mono16": "1.2.840.10008.1.2.4.201", "htj2k_rgb8": "1.2.840.10008.1.2.4.201",
          "htj2k_2frames": "1.2.840.10008.1.2.4.202"}


def fixture(name):
    with open(os.path.join(DATA, name), "rb") as f:
        return f.read()


def split_multipart(body, headers):
    m = re.search(r"boundary=\"?([^\";\r\n]+)", headers, re.I)
    assert m, headers
    delimiter = b"--" + m.group(1).encode()
    parts = []
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk[2:].partition(b"\r\n\r\n")
        parts.append((head.decode(), data[:-2]))
    return parts


def jpeg_size(data):
    """(width, height) from a JPEG's start-of-frame segment."""
    assert data[:2] == b"\xff\xd8", data[:16]
    i = 2
    while i + 9 < len(data):
        assert data[i] == 0xFF, i
        marker, length = data[i + 1], int.from_bytes(data[i + 2:i + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            return (int.from_bytes(data[i + 7:i + 9], "big"),
                    int.from_bytes(data[i + 5:i + 7], "big"))
        i += 2 + length
    raise AssertionError("no start-of-frame segment")


def has_part15_cap_marker(codestream):
    """A CAP marker (FF50) in the main header with Pcap bit 15 (from the MSB) set."""
    i = 2
    while i + 8 <= len(codestream) and codestream[i] == 0xFF and codestream[i + 1] != 0x90:
        length = int.from_bytes(codestream[i + 2:i + 4], "big")
        if codestream[i + 1] == 0x50:
            return bool(int.from_bytes(codestream[i + 4:i + 8], "big") & (1 << (32 - 15)))
        i += 2 + length
    return False


class Htj2k(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        cls.arca.serve(["--dev-local-access"])
        cls.base = f"https://127.0.0.1:{cls.arca.http_port}"
        body = b""
        for name in IMAGES:
            body += (b"--b\r\nContent-Type: application/dicom\r\n\r\n" + fixture(name + ".dcm") +
                     b"\r\n")
        body += b"--b--\r\n"
        status, answer, _ = harness.curl(
            cls.base + "/dicom-web/studies", "-X", "POST", "-H", "Expect:", "-H",
            "Content-Type: multipart/related; type=application/dicom; boundary=b",
            "--data-binary", "@-", stdin=body)
        assert status == 200, (status, answer)

    @classmethod
    def tearDownClass(cls):
        cls.arca.cleanup()

    def instance(self, name):
        return (f"{self.base}/dicom-web/studies/{STUDY}/series/{SERIES}/instances/"
                f"{IMAGES[name][0]}")

    def wado_uri(self, name, query):
        return harness.curl(f"{self.base}/wado?requestType=WADO&studyUID={STUDY}"
                            f"&seriesUID={SERIES}&objectUID={IMAGES[name][0]}{query}")

    def frame_list(self, name):
        return ",".join(str(n) for n in range(1, FRAMES[name] + 1))

    def test_frames_decode_to_the_source_pixels(self):
        for name in IMAGES:
            with self.subTest(name):
                status, body, headers = harness.curl(
                    self.instance(name) + "/frames/" + self.frame_list(name), "-H",
                    'Accept: multipart/related; type="application/octet-stream"')
                self.assertEqual(status, 200, body[:300])
                parts = split_multipart(body, headers)
                self.assertEqual(len(parts), FRAMES[name])
                for head, _ in parts:
                    self.assertIn("transfer-syntax=" + EXPLICIT_LE, head)
                self.assertEqual(b"".join(data for _, data in parts), fixture(name + ".raw"))

    def test_frames_as_stored_are_the_htj2k_codestream(self):
        for name in IMAGES:
            with self.subTest(name):
                status, body, headers = harness.curl(
                    self.instance(name) + "/frames/" + self.frame_list(name), "-H",
                    'Accept: multipart/related; type="image/jphc"; transfer-syntax=*')
                self.assertEqual(status, 200, body[:300])
                parts = split_multipart(body, headers)
                self.assertEqual(len(parts), FRAMES[name])
                for n, (head, data) in enumerate(parts, 1):
                    self.assertIn("image/jphc", head)
                    self.assertIn("transfer-syntax=" + SYNTAX[name], head)
                    codestream = fixture(f"{name}.{n}.j2c")
                    self.assertEqual(data, codestream + b"\0" * (len(codestream) % 2))
                    self.assertTrue(has_part15_cap_marker(data), "not a Part-15 codestream")

    def test_rendered_and_thumbnail_are_jpegs_of_the_image_size(self):
        for name, (_, columns, rows, _) in IMAGES.items():
            with self.subTest(name):
                last = f"/frames/{FRAMES[name]}/rendered"
                for resource in ("/rendered", "/frames/1/rendered", last, "/thumbnail"):
                    status, body, headers = harness.curl(self.instance(name) + resource)
                    self.assertEqual(status, 200, (resource, body[:300]))
                    self.assertIn("image/jpeg", headers)
                    self.assertEqual(jpeg_size(body), (columns, rows), resource)
                status, body, _ = harness.curl(
                    self.instance(name) + f"/rendered?viewport={columns // 2},{rows // 2}")
                self.assertEqual(status, 200)
                self.assertEqual(jpeg_size(body), (columns // 2, rows // 2))

    def test_instance_retrieve_transcoded_carries_the_source_pixels(self):
        for name, (uid, columns, rows, photometric) in IMAGES.items():
            with self.subTest(name):
                status, body, headers = harness.curl(
                    self.instance(name), "-H", "Accept: multipart/related; "
                    f'type="application/dicom"; transfer-syntax={EXPLICIT_LE}')
                self.assertEqual(status, 200, body[:300])
                (head, data), = split_multipart(body, headers)
                self.assertIn("transfer-syntax=" + EXPLICIT_LE, head)
                ds = pydicom.dcmread(io.BytesIO(data))
                self.assertEqual(ds.file_meta.TransferSyntaxUID, EXPLICIT_LE)
                self.assertEqual((ds.SOPInstanceUID, ds.Columns, ds.Rows), (uid, columns, rows))
                self.assertEqual(ds.PhotometricInterpretation, photometric)
                self.assertEqual(ds.PixelData, fixture(name + ".raw"))
                self.assertEqual(ds["PixelData"].VR, "OW" if ds.BitsAllocated == 16 else "OB")
                status, body, headers = harness.curl(
                    self.instance(name), "-H",
                    'Accept: multipart/related; type="application/dicom"; transfer-syntax=*')
                self.assertEqual(status, 200)
                (head, data), = split_multipart(body, headers)
                self.assertIn("transfer-syntax=" + SYNTAX[name], head)
                self.assertEqual(data, fixture(name + ".dcm"))  # as received, bit for bit

    def test_wado_uri_jpeg_and_explicit_little_endian(self):
        for name, (_, columns, rows, _) in IMAGES.items():
            with self.subTest(name):
                status, body, headers = self.wado_uri(name, "&contentType=image%2Fjpeg")
                self.assertEqual(status, 200, body[:300])
                self.assertIn("image/jpeg", headers)
                self.assertEqual(jpeg_size(body), (columns, rows))
                status, body, _ = self.wado_uri(name, "")  # image/jpeg is the default
                self.assertEqual((status, jpeg_size(body)), (200, (columns, rows)))
                status, body, _ = self.wado_uri(
                    name, f"&contentType=image%2Fjpeg&rows={rows // 2}&columns={columns // 2}")
                self.assertEqual((status, jpeg_size(body)), (200, (columns // 2, rows // 2)))
                status, body, _ = self.wado_uri(
                    name, f"&contentType=image%2Fjpeg&frameNumber={FRAMES[name]}")
                self.assertEqual((status, jpeg_size(body)), (200, (columns, rows)))
                status, body, _ = self.wado_uri(name, "&contentType=application%2Fdicom")
                self.assertEqual(status, 200)
                ds = pydicom.dcmread(io.BytesIO(body))
                self.assertEqual(ds.file_meta.TransferSyntaxUID, EXPLICIT_LE)
                self.assertEqual(ds.PixelData, fixture(name + ".raw"))
        status, _, _ = self.wado_uri("htj2k_mono16", "&contentType=image%2Fjpeg&frameNumber=2")
        self.assertEqual(status, 404)
        status, _, _ = self.wado_uri("htj2k_mono16", "&contentType=image%2Fjpeg&rows=big")
        self.assertEqual(status, 400)

    def test_metadata_describes_the_encapsulated_pixel_data(self):
        status, body, _ = harness.curl(self.instance("htj2k_mono16") + "/metadata")
        self.assertEqual(status, 200, body[:300])
        pixel_data = json.loads(body)[0]["7FE00010"]
        self.assertEqual(pixel_data["vr"], "OB")
        self.assertIn("BulkDataURI", pixel_data)


class Htj2kToAnUncompressedOnlyPeer(unittest.TestCase):
    def test_send_decodes_to_the_source_pixels(self):
        arca = harness.Arca()
        plain = StoreScp(arca.root, "PLAIN", "+B")  # storescp: uncompressed syntaxes only
        try:
            arca.run("import", *(os.path.join(DATA, n + ".dcm") for n in IMAGES), check=0)
            arca.run("peer", "add", "PLAIN", "--host", "127.0.0.1", "--port", str(plain.port),
                     "--allow", "receive", check=0)
            arca.run("send", "--study", STUDY, "--to", "PLAIN", check=0)
            received = plain.received()
            self.assertEqual(set(received), {uid for uid, *_ in IMAGES.values()})
            for name, (uid, _, _, photometric) in IMAGES.items():
                ds = pydicom.dcmread(received[uid])
                self.assertIn(str(ds.file_meta.TransferSyntaxUID),
                              ("1.2.840.10008.1.2", EXPLICIT_LE))
                self.assertEqual(ds.PhotometricInterpretation, photometric)
                self.assertEqual(ds.PixelData, fixture(name + ".raw"))
        finally:
            plain.stop()
            arca.cleanup()


if __name__ == "__main__":
    harness.main()
