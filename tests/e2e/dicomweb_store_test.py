#!/usr/bin/python3
"""STOW-RS of application/dicom+json with bulk data parts, end to end: CT_small's own /metadata,
given new UIDs, is posted back as DICOM JSON with its Pixel Data in a separate part named by
Content-Location; the stored object must carry every attribute and the pixels of the original.
Non-ASCII text without a UTF-8 SpecificCharacterSet is stored as UTF-8 with WarningReason
0xB000 (coercion, status 202); a data set whose BulkDataURI names no part fails alone.
"""
import io
import json
import os
import unittest

import pydicom

import harness

CT = os.path.join(harness.PYDICOM_DATA, "test_files", "CT_small.dcm")
UID = "1.2.826.0.1.3680043.8.498.77"
JSON_TYPE = 'multipart/related; type="application/dicom+json"; boundary=jb'


def multipart(parts, boundary):
    body = b""
    for headers, data in parts:
        body += b"--" + boundary.encode() + b"\r\n"
        for name, value in headers.items():
            body += f"{name}: {value}\r\n".encode()
        body += b"\r\n" + data + b"\r\n"
    return body + b"--" + boundary.encode() + b"--\r\n"


def values(obj, tag):
    return obj.get(tag, {}).get("Value", [])


class StoreJson(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        cls.arca.serve(["--dev-local-access"])
        cls.base = f"https://127.0.0.1:{cls.arca.http_port}/dicom-web"
        cls.ct = pydicom.dcmread(CT)
        status, body, _ = cls.post(multipart([({"Content-Type": "application/dicom"},
                                               open(CT, "rb").read())], "b"),
                                   "multipart/related; type=application/dicom; boundary=b")
        assert status == 200, body
        d = cls.ct
        status, body, _ = harness.curl(f"{cls.base}/studies/{d.StudyInstanceUID}/series/"
                                       f"{d.SeriesInstanceUID}/instances/{d.SOPInstanceUID}"
                                       "/metadata")
        assert status == 200, body
        cls.metadata = json.loads(body)[0]

    @classmethod
    def tearDownClass(cls):
        cls.arca.cleanup()

    @classmethod
    def post(cls, body, content_type, route="/studies"):
        return harness.curl(cls.base + route, "-X", "POST", "-H", "Content-Type: " + content_type,
                            "-H", "Expect:", "--data-binary", "@-", stdin=body)

    def copy(self, suffix, pixels_uri="pixels-1"):
        obj = json.loads(json.dumps(self.metadata))
        obj["0020000D"]["Value"] = [f"{UID}.{suffix}.1"]
        obj["0020000E"]["Value"] = [f"{UID}.{suffix}.2"]
        obj["00080018"]["Value"] = [f"{UID}.{suffix}.3"]
        obj["7FE00010"] = {"vr": "OW", "BulkDataURI": pixels_uri}
        return obj

    def retrieve(self, obj):
        uid = lambda tag: obj[tag]["Value"][0]
        status, body, _ = harness.curl(
            f"https://127.0.0.1:{self.arca.http_port}/wado?requestType=WADO"
            f"&studyUID={uid('0020000D')}&seriesUID={uid('0020000E')}"
            f"&objectUID={uid('00080018')}&contentType=application%2Fdicom&transferSyntax=*")
        self.assertEqual(status, 200, body)
        return pydicom.dcmread(io.BytesIO(body))

    def test_json_with_a_pixel_data_part_round_trips(self):
        obj = self.copy(1)
        body = multipart([({"Content-Type": "application/dicom+json"}, json.dumps([obj]).encode()),
                          ({"Content-Type": "application/octet-stream",
                            "Content-Location": "pixels-1"}, self.ct.PixelData)], "jb")
        status, answer, headers = self.post(body, JSON_TYPE)
        self.assertEqual(status, 200, answer)
        self.assertIn("application/dicom+json", headers)
        stored = values(json.loads(answer), "00081199")
        self.assertEqual(values(stored[0], "00081155"), [f"{UID}.1.3"])
        self.assertNotIn("00081196", stored[0])  # no warning
        got = self.retrieve(obj)
        self.assertEqual(got.file_meta.TransferSyntaxUID, "1.2.840.10008.1.2.1")
        self.assertEqual(got.PixelData, self.ct.PixelData)
        compared = 0
        for element in self.ct:
            if element.tag in (0x0020000D, 0x0020000E, 0x00080018, 0x7FE00010, 0xFFFCFFFC):
                continue
            if element.tag == 0x00080005:  # JSON is UTF-8: /metadata declares ISO_IR 192
                self.assertEqual(got.SpecificCharacterSet, "ISO_IR 192")
                continue
            self.assertIn(element.tag, got, element)
            self.assertEqual(got[element.tag].value, element.value, element)
            compared += 1
        self.assertGreater(compared, 50)

    def test_non_ascii_text_is_coerced_to_utf8_with_a_warning(self):
        obj = self.copy(2)
        obj.pop("00080005", None)
        obj["00100010"] = {"vr": "PN", "Value": [{"Alphabetic": "Müller^Jörg"}]}
        body = multipart([({"Content-Type": "application/dicom+json"}, json.dumps([obj]).encode()),
                          ({"Content-Type": "application/octet-stream",
                            "Content-Location": "pixels-1"}, self.ct.PixelData)], "jb")
        status, answer, _ = self.post(body, JSON_TYPE)
        self.assertEqual(status, 202, answer)
        stored = values(json.loads(answer), "00081199")
        self.assertEqual(values(stored[0], "00081196"), [0xB000])
        got = self.retrieve(obj)
        self.assertEqual(got.SpecificCharacterSet, "ISO_IR 192")
        self.assertEqual(str(got.PatientName), "Müller^Jörg")

    def test_a_data_set_with_an_unknown_bulk_data_uri_fails_alone(self):
        good, bad = self.copy(3), self.copy(4, pixels_uri="nowhere")
        body = multipart([({"Content-Type": "application/dicom+json"},
                           json.dumps([bad, good]).encode()),
                          ({"Content-Type": "application/octet-stream",
                            "Content-Location": "pixels-1"}, self.ct.PixelData)], "jb")
        status, answer, _ = self.post(body, JSON_TYPE)
        self.assertEqual(status, 202, answer)
        answer = json.loads(answer)
        self.assertEqual([values(i, "00081155") for i in values(answer, "00081199")],
                         [[f"{UID}.3.3"]])
        self.assertEqual(len(values(answer, "00081198")), 1)
        status, answer, _ = self.post(multipart([({"Content-Type": "application/dicom+json"},
                                                  b"not json")], "jb"), JSON_TYPE)
        self.assertEqual(status, 409, answer)
        status, _, _ = self.post(b"--jb--", 'multipart/related; type="application/dicom+xml"; '
                                 'boundary=jb')
        self.assertEqual(status, 415)


if __name__ == "__main__":
    harness.main()
