#!/usr/bin/python3
"""Every DICOMweb request pattern of ../shared/ohif-requests.md (OHIF 3.13.2, R1-R16 and O1-O6)
replayed with curl, exact Accept headers and query strings included, against
`arca serve --dev-local-access` holding one study (a CT series and a two-frame RLE series of
patient PHANTOM^CT, ARCA-0001). Each answer is checked as OHIF reads it: status, content type,
multipart framing and the attributes its study list, study browser and viewer use.
"""
import gzip
import io
import json
import os
import re
import unittest

import pydicom

import harness

FILES = os.path.join(harness.PYDICOM_DATA, "test_files")
UID = "1.2.826.0.1.3680043.8.498.4242"
STUDY = UID + ".1"
CT_SERIES, RLE_SERIES = UID + ".2", UID + ".3"
CT_INSTANCE, RLE_INSTANCE = UID + ".4", UID + ".5"
JSON_ACCEPT = "Accept: application/dicom+json"
R1_FIELDS = "includefield=00081030%2C00080060%2C00080090%2C00100030"
LIST = "limit=101&offset=0&fuzzymatching=false&" + R1_FIELDS
STUDY_KEYS = ["0020000D", "00080020", "00080030", "00080050", "00080061", "00100010",
              "00100020", "00100030", "00081030", "00080090", "00201206", "00201208"]
SERIES_KEYS = ["0020000E", "00080060", "0008103E", "00200011", "00201209"]


def instance(name, series, sop, description):
    ds = pydicom.dcmread(os.path.join(FILES, name))
    ds.PatientName, ds.PatientID = "PHANTOM^CT", "ARCA-0001"
    ds.PatientBirthDate = "19700101"
    ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID = STUDY, series, sop
    ds.file_meta.MediaStorageSOPInstanceUID = sop
    ds.StudyDate, ds.StudyTime = "20240115", "101500"
    ds.AccessionNumber, ds.StudyDescription = "ACC0001", "CT phantom study"
    ds.ReferringPhysicianName, ds.SeriesDescription = "REF^DOC", description
    ds.Modality = "CT"
    ds.SeriesNumber, ds.SeriesDate, ds.SeriesTime = 1 if series == CT_SERIES else 2, \
        "20240115", "101600"
    out = io.BytesIO()
    ds.save_as(out, write_like_original=False)
    return ds, out.getvalue()


def post_body(data, boundary="ohif-boundary"):
    return (b"--" + boundary.encode() + b"\r\nContent-Type: application/dicom\r\n\r\n" + data +
            b"\r\n--" + boundary.encode() + b"--\r\n")


def header(headers, name):
    for line in headers.split("\n"):
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return None


def values(obj, tag):
    return obj.get(tag, {}).get("Value", [])


class OhifRequests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        cls.arca.serve(["--dev-local-access"])
        cls.origin = f"https://127.0.0.1:{cls.arca.http_port}"
        cls.base = cls.origin + "/dicom-web"
        cls.ct, ct = instance("CT_small.dcm", CT_SERIES, CT_INSTANCE, "Axial CT")
        cls.rle, rle = instance("SC_rgb_rle_2frame.dcm", RLE_SERIES, RLE_INSTANCE, "RLE frames")
        for data in (ct, rle):  # R16: one POST per file, Accept */*
            status, body, headers = cls.stow(data)
            assert status == 200, body

    @classmethod
    def tearDownClass(cls):
        cls.arca.cleanup()

    @classmethod
    def stow(cls, data):
        return harness.curl(cls.base + "/studies", "-X", "POST", "-H", "Accept: */*", "-H",
                            'Content-Type: multipart/related; type="application/dicom"; '
                            'boundary="ohif-boundary"', "--data-binary", "@-",
                            stdin=post_body(data))

    def json_get(self, route, accept=JSON_ACCEPT, *extra):
        status, body, headers = harness.curl(self.base + route, "-H", accept, *extra)
        self.assertEqual(status, 200, (route, body[:300]))
        self.assertEqual(header(headers, "Content-Type"), "application/dicom+json", route)
        return json.loads(body), headers

    def studies(self, query):
        rows, _ = self.json_get("/studies?" + query)
        return rows

    def multipart(self, route, accept, *extra):
        status, body, headers = harness.curl(self.base + route, "-H", "Accept: " + accept,
                                             *extra)
        self.assertEqual(status, 200, (route, body[:300]))
        content_type = header(headers, "Content-Type")
        self.assertTrue(content_type.startswith("multipart/related;"), content_type)
        boundary = re.search(r'boundary="?([^";]+)"?', content_type).group(1)
        delimiter = b"--" + boundary.encode()
        self.assertTrue(body.startswith(delimiter + b"\r\n"), route)
        self.assertTrue(body.endswith(delimiter + b"--\r\n") or body.endswith(delimiter + b"--"),
                        route)
        parts = []
        for chunk in body.split(delimiter)[1:]:
            if chunk.startswith(b"--"):
                break
            head, _, data = chunk[2:].partition(b"\r\n\r\n")
            self.assertTrue(data.endswith(b"\r\n"), route)
            parts.append((head.decode(), data[:-2]))
        return content_type, parts

    # 4.1: always used

    def test_r1_study_list_with_comma_separated_includefield(self):
        rows = self.studies(LIST)
        self.assertEqual(len(rows), 1)
        for key in STUDY_KEYS:
            self.assertIn(key, rows[0], key)
        self.assertEqual(values(rows[0], "00081030"), ["CT phantom study"])
        # Two series and instances, three once the R15 report is stored (tests run in any order).
        self.assertIn(values(rows[0], "00201206"), ([2], [3]))
        self.assertIn(values(rows[0], "00201208"), ([2], [3]))
        self.assertIn(values(rows[0], "00080061"), (["CT"], ["CT", "SR"]))
        self.assertEqual(values(rows[0], "00100030"), ["19700101"])

    def test_r2_to_r8_filters(self):
        for query in ("PatientName=*phan*", "00100020=*ARCA-0001*", "StudyDescription=*phantom*",
                      "AccessionNumber=*ACC0001*", "ModalitiesInStudy=CT",
                      "StudyDate=20240101-20240131", "StudyDate=20240101-20261128",
                      "StudyDate=19700102-20240131",
                      "PatientName=*PHAN*&00100020=*ARCA*&AccessionNumber=*ACC*"
                      "&StudyDescription=*phantom*&ModalitiesInStudy=CT"):
            rows = self.studies(query + "&" + LIST)
            self.assertEqual([values(r, "0020000D") for r in rows], [[STUDY]], query)
        for query in ("PatientName=*nobody*", "ModalitiesInStudy=MR",
                      "StudyDate=20230101-20231231"):
            self.assertEqual(self.studies(query + "&" + LIST), [], query)

    def test_r9_and_r11_series_of_the_study(self):
        for fields in ("0008103E%2C00080021", "00080021%2C00080031%2C0008103E%2C00200011"):
            rows, _ = self.json_get(f"/studies/{STUDY}/series?includefield={fields}")
            ours = [r for r in rows if values(r, "0020000E")[0] in (CT_SERIES, RLE_SERIES)]
            self.assertEqual(len(ours), 2)
            for row in ours:
                for key in SERIES_KEYS:
                    self.assertIn(key, row, key)
            self.assertEqual(sorted(values(r, "0008103E")[0] for r in ours),
                             ["Axial CT", "RLE frames"])
            self.assertEqual(sorted(values(r, "00201209")[0] for r in ours), [1, 1])

    def test_r10_viewer_open_by_study_uid_and_uid_list(self):
        for uids in (STUDY, STUDY + "%5C1.2.3.4.5", "1.2.3.4.5%5C" + STUDY):
            rows = self.studies(LIST + "&StudyInstanceUID=" + uids)
            self.assertEqual([values(r, "0020000D") for r in rows], [[STUDY]], uids)

    def test_r12_other_studies_of_the_patient_exact_id(self):
        self.assertEqual(len(self.studies("00100020=ARCA-0001&" + LIST)), 1)
        self.assertEqual(self.studies("00100020=ARCA-000&" + LIST), [])  # exact, no wildcard

    def test_r13_series_metadata_compressed_with_relative_bulk_uris(self):
        route = f"/studies/{STUDY}/series/{CT_SERIES}/metadata"
        status, packed, headers = harness.curl(self.base + route, "-H", JSON_ACCEPT, "-H",
                                               "Accept-Encoding: gzip, deflate, br")
        self.assertEqual(status, 200)
        self.assertEqual(header(headers, "Content-Encoding"), "gzip")
        objs = json.loads(gzip.decompress(packed))
        self.assertEqual(len(objs), 1)
        obj = objs[0]
        for key in ("00280010", "00280011", "00280100", "00280103", "00200032", "00200037",
                    "00280030", "00281052", "00281053", "00280004", "00280002"):
            self.assertIn(key, obj, key)
        self.assertEqual(values(obj, "00080018"), [CT_INSTANCE])
        self.assertTrue(obj["7FE00010"]["BulkDataURI"].startswith("/dicom-web/studies/"))

    def test_r14_frames_in_the_stored_syntax_with_unquoted_type(self):
        accept = "multipart/related; type=application/octet-stream; transfer-syntax=*"
        ct = f"/studies/{STUDY}/series/{CT_SERIES}/instances/{CT_INSTANCE}/frames/1"
        content_type, parts = self.multipart(ct, accept)
        self.assertIn('type="application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1"',
                      content_type)
        self.assertEqual(len(parts), 1)
        self.assertIn("transfer-syntax=1.2.840.10008.1.2.1", parts[0][0])
        self.assertEqual(parts[0][1], self.ct.PixelData)
        for n in (1, 2):
            rle = f"/studies/{STUDY}/series/{RLE_SERIES}/instances/{RLE_INSTANCE}/frames/{n}"
            content_type, parts = self.multipart(rle, accept)
            self.assertIn('type="image/dicom-rle; transfer-syntax=1.2.840.10008.1.2.5"',
                          content_type)
            self.assertEqual(len(parts), 1)
            self.assertIn("image/dicom-rle", parts[0][0])
            fragments = list(pydicom.encaps.generate_pixel_data_frame(self.rle.PixelData, 2))
            self.assertEqual(parts[0][1], fragments[n - 1])
        status, _, _ = harness.curl(self.base + rle[:-1] + "3", "-H", "Accept: " + accept)
        self.assertEqual(status, 404)

    def test_r15_and_r16_store_a_structured_report_and_see_its_series(self):
        sr = pydicom.dcmread(os.path.join(FILES, "test-SR.dcm"))
        sr.StudyInstanceUID, sr.SeriesInstanceUID = STUDY, UID + ".6"
        sr.SOPInstanceUID = sr.file_meta.MediaStorageSOPInstanceUID = UID + ".7"
        sr.PatientName, sr.PatientID = "PHANTOM^CT", "ARCA-0001"
        out = io.BytesIO()
        sr.save_as(out, write_like_original=False)
        status, body, headers = self.stow(out.getvalue())
        self.assertIn(status, (200, 202), body)
        self.assertEqual(header(headers, "Content-Type"), "application/dicom+json")
        answer = json.loads(body)
        self.assertEqual(values(values(answer, "00081199")[0], "00081155"), [UID + ".7"])
        rows, _ = self.json_get(f"/studies/{STUDY}/series?includefield=00080021%2C00080031"
                                "%2C0008103E%2C00200011")
        self.assertIn([UID + ".6"], [values(r, "0020000E") for r in rows])
        objs, _ = self.json_get(f"/studies/{STUDY}/series/{UID}.6/metadata")
        self.assertIn("0040A730", objs[0])  # SR content inline

    # 4.2: other data-source settings

    def test_o1_study_metadata(self):
        objs, _ = self.json_get(f"/studies/{STUDY}/metadata")
        self.assertGreaterEqual(len(objs), 2)
        self.assertTrue({CT_INSTANCE, RLE_INSTANCE} <= {values(o, "00080018")[0] for o in objs})

    def test_o2_thumbnail_and_instance_lookup(self):
        route = f"/studies/{STUDY}/series/{CT_SERIES}/instances/{CT_INSTANCE}/thumbnail"
        status, body, headers = harness.curl(self.base + route + "?viewport=256%2C256", "-H",
                                             "Accept: image/jpeg")
        self.assertEqual(status, 200)
        self.assertEqual(header(headers, "Content-Type"), "image/jpeg")
        self.assertTrue(body.startswith(b"\xff\xd8"))
        rows, _ = self.json_get(f"/studies/{STUDY}/series/{CT_SERIES}/instances?limit=1"
                                "&includefield=00080018")
        self.assertEqual([values(r, "00080018") for r in rows], [[CT_INSTANCE]])

    def test_o3_rendered_accept_parameter_wins(self):
        route = (f"/studies/{STUDY}/series/{CT_SERIES}/instances/{CT_INSTANCE}/rendered"
                 "?accept=image%2Fjpeg")
        status, body, headers = harness.curl(self.base + route, "-H",
                                             'Accept: multipart/related; '
                                             'type="application/octet-stream"')
        self.assertEqual(status, 200)
        self.assertEqual(header(headers, "Content-Type"), "image/jpeg")
        self.assertTrue(body.startswith(b"\xff\xd8"))

    def test_o4_instance_as_part10_quoted_and_unquoted(self):
        route = f"/studies/{STUDY}/series/{RLE_SERIES}/instances/{RLE_INSTANCE}"
        for accept in ('multipart/related; type="application/dicom"; transfer-syntax=*',
                       "multipart/related; type=application/dicom; transfer-syntax=*"):
            content_type, parts = self.multipart(route, accept)
            self.assertIn('type="application/dicom"', content_type)
            self.assertEqual(len(parts), 1)
            self.assertIn("transfer-syntax=1.2.840.10008.1.2.5", parts[0][0])
            got = pydicom.dcmread(io.BytesIO(parts[0][1]))
            self.assertEqual(got.SOPInstanceUID, RLE_INSTANCE)

    def test_o5_bulk_data_uri_relative_to_the_origin(self):
        objs, _ = self.json_get(f"/studies/{STUDY}/series/{CT_SERIES}/metadata")
        uri = objs[0]["7FE00010"]["BulkDataURI"]
        status, body, headers = harness.curl(self.origin + uri, "-H",
                                             "Accept: application/octet-stream")
        self.assertEqual(status, 200)
        self.assertEqual(header(headers, "Content-Type"), "application/octet-stream")
        self.assertEqual(body, self.ct.PixelData)
        content_type, parts = self.multipart(uri[len("/dicom-web"):],
                                             "multipart/related; type=application/octet-stream")
        self.assertEqual(parts[0][1], self.ct.PixelData)

    def test_o6_wado_uri(self):
        status, body, headers = harness.curl(
            f"{self.origin}/wado?requestType=WADO&studyUID={STUDY}&seriesUID={CT_SERIES}"
            f"&objectUID={CT_INSTANCE}&contentType=application/dicom&transferSyntax=*")
        self.assertEqual(status, 200)
        self.assertTrue(header(headers, "Content-Type").startswith("application/dicom"))
        self.assertEqual(pydicom.dcmread(io.BytesIO(body)).SOPInstanceUID, CT_INSTANCE)

    # 4.3: transport checklist

    def test_no_cors_and_private_caching_on_phi(self):
        status, _, headers = harness.curl(self.base + "/studies?" + LIST, "-H", JSON_ACCEPT,
                                          "-H", "Origin: https://elsewhere.example")
        self.assertEqual(status, 200)
        self.assertIsNone(header(headers, "Access-Control-Allow-Origin"))
        self.assertIn(header(headers, "Cache-Control"), ("no-store", "private, no-store"))
        _, _, headers = harness.curl(self.base + f"/studies/{STUDY}/series/{CT_SERIES}"
                                     f"/instances/{CT_INSTANCE}/frames/1")
        self.assertTrue(header(headers, "Cache-Control").startswith("private"))


if __name__ == "__main__":
    harness.main()
