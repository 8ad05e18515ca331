#!/usr/bin/python3
"""HTTP transport features of `arca serve --dev-local-access`, end to end with curl: single byte
ranges on WADO-URI and bulk data (206, 416), gzip of DICOM JSON, the security headers and the
per-area Content-Security-Policy, the plain-HTTP port that only redirects to HTTPS, and CORS for
exactly the configured origin.
"""
import io
import json
import os
import subprocess
import unittest

import pydicom

import harness

TEST_FILES = os.path.join(harness.PYDICOM_DATA, "test_files")
CT = os.path.join(TEST_FILES, "CT_small.dcm")
BIG_ENDIAN = os.path.join(TEST_FILES, "MR_small_bigendian.dcm")
VIEWER = "https://viewer.example:8443"


def multipart(data, boundary="b"):
    return (b"--" + boundary.encode() + b"\r\nContent-Type: application/dicom\r\n\r\n" + data +
            b"\r\n--" + boundary.encode() + b"--\r\n")


def header(headers, name):
    for line in headers.split("\n"):
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return None


class Transport(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        os.makedirs(cls.arca.root, exist_ok=True)
        cls.redirect_port = harness.free_port()
        config = os.path.join(cls.arca.root, "arca.toml")
        with open(config, "w") as f:
            f.write(f"[http]\nredirect_port = {cls.redirect_port}\n"
                    f"cors_origins = [\"{VIEWER}\"]\n")
        cls.arca.serve(["--dev-local-access", "--config", config])
        cls.origin = f"https://127.0.0.1:{cls.arca.http_port}"
        cls.base = cls.origin + "/dicom-web"
        cls.ct_bytes = open(CT, "rb").read()
        cls.ct = pydicom.dcmread(CT)
        cls.be = pydicom.dcmread(BIG_ENDIAN, stop_before_pixels=True)
        for data in (cls.ct_bytes, open(BIG_ENDIAN, "rb").read()):
            status, body, _ = harness.curl(cls.base + "/studies", "-X", "POST", "-H",
                                           "Content-Type: multipart/related; "
                                           "type=application/dicom; boundary=b",
                                           "--data-binary", "@-", stdin=multipart(data))
            assert status == 200, body

    @classmethod
    def tearDownClass(cls):
        cls.arca.cleanup()

    def wado_uri(self, d, syntax):
        return (f"{self.origin}/wado?requestType=WADO&studyUID={d.StudyInstanceUID}"
                f"&seriesUID={d.SeriesInstanceUID}&objectUID={d.SOPInstanceUID}"
                f"&contentType=application%2Fdicom&transferSyntax={syntax}")

    def test_wado_uri_single_range_as_stored(self):
        url = self.wado_uri(self.ct, "*")
        status, body, headers = harness.curl(url)
        self.assertEqual((status, body), (200, self.ct_bytes))
        self.assertEqual(header(headers, "Accept-Ranges"), "bytes")
        size = len(self.ct_bytes)
        mid = size // 2
        status, body, headers = harness.curl(url, "-r", f"{mid}-{mid + 999}")
        self.assertEqual(status, 206)
        self.assertEqual(body, self.ct_bytes[mid:mid + 1000])
        self.assertEqual(header(headers, "Content-Range"), f"bytes {mid}-{mid + 999}/{size}")
        status, body, _ = harness.curl(url, "-H", "Range: bytes=-100")
        self.assertEqual((status, body), (206, self.ct_bytes[-100:]))
        status, body, _ = harness.curl(url, "-H", f"Range: bytes={size - 10}-{size + 500}")
        self.assertEqual((status, body), (206, self.ct_bytes[-10:]))
        status, _, headers = harness.curl(url, "-r", f"{size}-")
        self.assertEqual(status, 416)
        self.assertEqual(header(headers, "Content-Range"), f"bytes */{size}")
        status, body, _ = harness.curl(url, "-H", "Range: bytes=0-1,5-6")  # several: whole
        self.assertEqual((status, body), (200, self.ct_bytes))

    def test_wado_uri_range_of_a_transcoded_object(self):
        url = self.wado_uri(self.be, "1.2.840.10008.1.2.1")
        status, whole, _ = harness.curl(url)
        self.assertEqual(status, 200)
        got = pydicom.dcmread(io.BytesIO(whole))
        self.assertEqual(got.file_meta.TransferSyntaxUID, "1.2.840.10008.1.2.1")
        status, body, headers = harness.curl(url, "-r", "128-1151")
        self.assertEqual((status, body), (206, whole[128:1152]))
        self.assertEqual(header(headers, "Content-Range"), f"bytes 128-1151/{len(whole)}")

    def test_bulk_pixel_data_range(self):
        d = self.ct
        url = (f"{self.base}/studies/{d.StudyInstanceUID}/series/{d.SeriesInstanceUID}"
               f"/instances/{d.SOPInstanceUID}/bulk/7FE00010")
        accept = ["-H", "Accept: application/octet-stream"]
        status, body, headers = harness.curl(url, *accept)
        self.assertEqual((status, body), (200, d.PixelData))
        self.assertEqual(header(headers, "Accept-Ranges"), "bytes")
        status, body, headers = harness.curl(url, *accept, "-r", "1000-1999")
        self.assertEqual((status, body), (206, d.PixelData[1000:2000]))
        self.assertEqual(header(headers, "Content-Range"),
                         f"bytes 1000-1999/{len(d.PixelData)}")
        status, _, _ = harness.curl(url, *accept, "-r", f"{len(d.PixelData)}-")
        self.assertEqual(status, 416)

    def test_metadata_is_gzipped_for_clients_that_accept_it(self):
        d = self.ct
        url = f"{self.base}/studies/{d.StudyInstanceUID}/series/{d.SeriesInstanceUID}/metadata"
        status, plain, headers = harness.curl(url)
        self.assertEqual(status, 200)
        self.assertIsNone(header(headers, "Content-Encoding"))
        self.assertEqual(header(headers, "Vary"), "Accept-Encoding, Origin")  # CORS is on here
        status, packed, headers = harness.curl(url, "-H", "Accept-Encoding: gzip")
        self.assertEqual(status, 200)
        self.assertEqual(header(headers, "Content-Encoding"), "gzip")
        self.assertEqual(header(headers, "Content-Type"), "application/dicom+json")
        self.assertLess(len(packed), len(plain))
        import gzip
        self.assertEqual(json.loads(gzip.decompress(packed)), json.loads(plain))

    def test_security_headers_and_csp_per_area(self):
        for url in (self.base + "/studies", self.origin + "/wado", self.origin + "/healthz",
                    self.base + "/nowhere"):
            _, _, headers = harness.curl(url)
            self.assertEqual(header(headers, "Strict-Transport-Security"), "max-age=31536000")
            self.assertEqual(header(headers, "X-Content-Type-Options"), "nosniff")
            self.assertEqual(header(headers, "Referrer-Policy"), "no-referrer")
            csp = header(headers, "Content-Security-Policy")
            self.assertTrue(csp.startswith("default-src 'none'"), (url, csp))
            self.assertIn("frame-ancestors 'none'", csp)
        _, _, headers = harness.curl(self.origin + "/app/index.html")
        app = header(headers, "Content-Security-Policy")
        self.assertIn("'wasm-unsafe-eval'", app)
        self.assertNotIn("'unsafe-eval'", app)
        _, _, headers = harness.curl(self.origin + "/viewer?StudyInstanceUIDs=1.2.3")
        self.assertIn("'unsafe-eval'", header(headers, "Content-Security-Policy"))

    def test_cors_only_for_the_listed_origin(self):
        status, body, headers = harness.curl(self.base + "/studies", "-X", "OPTIONS", "-H",
                                             "Origin: " + VIEWER, "-H",
                                             "Access-Control-Request-Method: GET", "-H",
                                             "Access-Control-Request-Headers: authorization")
        self.assertEqual(status, 204, body)
        self.assertEqual(header(headers, "Access-Control-Allow-Origin"), VIEWER)
        self.assertEqual(header(headers, "Access-Control-Allow-Credentials"), "true")
        self.assertIn("GET", header(headers, "Access-Control-Allow-Methods"))
        status, _, headers = harness.curl(self.base + "/studies", "-H", "Origin: " + VIEWER)
        self.assertEqual(status, 200)
        self.assertEqual(header(headers, "Access-Control-Allow-Origin"), VIEWER)
        self.assertIn("Origin", header(headers, "Vary"))
        for origin in ("https://evil.example", "https://viewer.example", "null"):
            status, _, headers = harness.curl(self.base + "/studies", "-H", "Origin: " + origin)
            self.assertIsNone(header(headers, "Access-Control-Allow-Origin"), origin)
            status, _, headers = harness.curl(self.base + "/studies", "-X", "OPTIONS", "-H",
                                              "Origin: " + origin, "-H",
                                              "Access-Control-Request-Method: POST")
            self.assertEqual(status, 403, origin)
            self.assertIsNone(header(headers, "Access-Control-Allow-Origin"), origin)

    def test_a_cors_origin_with_a_path_is_a_usage_error(self):
        arca = harness.Arca()
        try:
            os.makedirs(arca.root, exist_ok=True)
            config = os.path.join(arca.root, "arca.toml")
            for bad in ("https://viewer.example/app", "*", "viewer.example"):
                with open(config, "w") as f:
                    f.write(f"[http]\ncors_origins = [\"{bad}\"]\n")
                p = arca.run("check", "--config", config)
                self.assertEqual(p.returncode, 2, bad)
                self.assertIn(b"cors_origins", p.stderr)
        finally:
            arca.cleanup()

    def test_plain_http_port_only_redirects(self):
        plain = f"http://127.0.0.1:{self.redirect_port}"
        status, body, headers = harness.curl(plain + "/dicom-web/studies?PatientID=x")
        self.assertEqual(status, 301)
        self.assertEqual(header(headers, "Location"),
                         f"https://127.0.0.1:{self.arca.http_port}/dicom-web/studies?PatientID=x")
        self.assertEqual(body, b"")
        status, _, headers = harness.curl(plain + "/dicom-web/studies", "-X", "POST",
                                          "--data-binary", "x")
        self.assertEqual(status, 308)
        # Following the redirect lands on the HTTPS listener.
        p = subprocess.run(["curl", "-skL", "--max-time", "10", "-w", " %{http_code}",
                            plain + "/healthz"], capture_output=True)
        self.assertEqual(p.stdout, b"ok 200")
        # TLS on the plain port is not served.
        p = subprocess.run(["curl", "-sk", "--max-time", "5", f"https://127.0.0.1:"
                            f"{self.redirect_port}/"], capture_output=True)
        self.assertNotEqual(p.returncode, 0)


if __name__ == "__main__":
    harness.main()
