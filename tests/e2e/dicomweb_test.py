#!/usr/bin/python3
"""DICOMweb end to end: `arca serve --dev-local-access` driven by curl over https://127.0.0.1.
STOW-RS of pydicom's corpus, QIDO-RS at every level with every matching kind, WADO-RS instance,
series and study retrieve (bytes equal to the stored files), metadata, frames; and without the
flag every DICOMweb route answers 401.
"""
import glob
import io
import json
import os
import re
import unittest
import urllib.parse

import pydicom

import harness

TEST_FILES = os.path.join(harness.PYDICOM_DATA, "test_files")
# MR_small, JPEG2000 and JPGExtended share one study; CT_small is native explicit little endian.
CORPUS = ["CT_small.dcm", "MR_small.dcm", "JPEG2000.dcm", "rtplan.dcm", "SC_rgb_rle.dcm",
          "image_dfl.dcm", "JPGExtended.dcm"]
# Arca refuses rtplan.dcm (its SOP Instance UID differs from the meta header's): a bad part.
REJECTED = "rtplan.dcm"
UID = "1.2.826.0.1.3680043.8.498.1"


def path(name):
    return os.path.join(TEST_FILES, name)


def multipart(parts, boundary="arca-e2e-boundary"):
    body = b""
    for content_type, data in parts:
        body += b"--" + boundary.encode() + b"\r\nContent-Type: " + content_type.encode()
        body += b"\r\n\r\n" + data + b"\r\n"
    return body + b"--" + boundary.encode() + b"--\r\n"


def split_multipart(body, headers):
    m = re.search(r"boundary=\"?([^\";\r\n]+)", headers, re.I)
    assert m, headers
    delimiter = b"--" + m.group(1).encode()
    parts = []
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk[2:].partition(b"\r\n\r\n")
        parts.append((head.decode(), data[:-2]))  # drop the CRLF before the next delimiter
    return parts


def variant(name, uid):
    """A copy of a corpus file in a study of its own, in its own transfer syntax."""
    ds = pydicom.dcmread(path(name))
    ds.StudyInstanceUID = uid + ".10"
    ds.SeriesInstanceUID = uid + ".20"
    ds.SOPInstanceUID = uid
    ds.file_meta.MediaStorageSOPInstanceUID = uid
    out = io.BytesIO()
    ds.save_as(out, write_like_original=True)
    return ds, out.getvalue()


def values(obj, tag):
    return obj.get(tag, {}).get("Value", [])


class DicomWeb(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        cls.arca.serve(["--dev-local-access"])
        cls.base = f"https://127.0.0.1:{cls.arca.http_port}/dicom-web"
        cls.ds = {n: pydicom.dcmread(path(n), stop_before_pixels=True) for n in CORPUS
                  if n != REJECTED}
        parts = [("application/dicom", open(path(n), "rb").read()) for n in CORPUS]
        parts.insert(2, ("application/dicom", b"this is not DICOM"))
        status, body, _ = cls.post("/studies", multipart(parts),
                                   'multipart/related; type="application/dicom"; '
                                   'boundary="arca-e2e-boundary"')
        cls.stow_status, cls.stow = status, json.loads(body)
        # Big endian and two-frame RLE copies (the corpus files share UIDs with MR_small and
        # SC_rgb_rle), stored one POST per file as OHIF does.
        cls.big, big = variant("MR_small_bigendian.dcm", UID + ".1")
        cls.rle2, rle2 = variant("SC_rgb_rle_2frame.dcm", UID + ".2")
        for data in (big, rle2):
            status, body, _ = cls.post("/studies", multipart([("application/dicom", data)], "v"),
                                       "multipart/related; type=application/dicom; boundary=v")
            assert status == 200, body

    @classmethod
    def tearDownClass(cls):
        cls.arca.cleanup()

    @classmethod
    def post(cls, route, body, content_type):
        return harness.curl(cls.base + route, "-X", "POST", "-H", "Content-Type: " + content_type,
                            "-H", "Expect:", "--data-binary", "@-", stdin=body)

    def get(self, route, *extra):
        status, body, headers = harness.curl(self.base + route, *extra)
        return status, body, headers

    def qido(self, route, want_status=200):
        status, body, headers = self.get(route)
        self.assertEqual(status, want_status, body)
        self.assertIn("application/dicom+json", headers)
        return json.loads(body), headers

    def test_stow_keeps_good_parts_and_reports_the_bad_one(self):
        self.assertEqual(self.stow_status, 202)
        stored = values(self.stow, "00081199")
        failed = values(self.stow, "00081198")
        self.assertEqual(sorted(values(i, "00081155")[0] for i in stored),
                         sorted(str(d.SOPInstanceUID) for d in self.ds.values()))
        self.assertEqual(len(failed), 2)
        self.assertEqual([values(f, "00081197") for f in failed], [[0xC000], [0xC000]])

    def test_stow_unquoted_parameters_and_study_mismatch(self):
        ct = open(path("CT_small.dcm"), "rb").read()
        status, body, _ = self.post("/studies", multipart([("application/dicom", ct)], "xyz"),
                                    "multipart/related; type=application/dicom; boundary=xyz")
        self.assertEqual(status, 200, body)  # the same bytes again: stored already, no conflict
        status, body, _ = self.post(f"/studies/{UID}.9",
                                    multipart([("application/dicom", ct)], "xyz"),
                                    "multipart/related; type=application/dicom; boundary=xyz")
        self.assertEqual(status, 409, body)
        self.assertEqual(values(values(json.loads(body), "00081198")[0], "00081197"), [0xC409])

    def test_stow_truncated_body_keeps_the_parts_before_the_cut(self):
        ct = open(path("CT_small.dcm"), "rb").read()
        body = multipart([("application/dicom", ct), ("application/dicom", ct)], "t")
        cut = body[:len(body) - len(ct) // 2]  # inside the second part
        status, answer, _ = self.post("/studies", cut,
                                      "multipart/related; type=application/dicom; boundary=t")
        self.assertEqual(status, 202, answer)
        answer = json.loads(answer)
        self.assertEqual(len(values(answer, "00081199")), 1)
        self.assertEqual(len(values(answer, "00081198")), 1)
        status, _, _ = harness.curl(f"https://127.0.0.1:{self.arca.http_port}/healthz")
        self.assertEqual(status, 200)  # the server is unaffected

    def test_stow_refuses_other_media_types(self):
        status, _, _ = self.post("/studies", b"{}", "application/json")
        self.assertEqual(status, 415)
        status, _, _ = self.post("/studies", b"--b--",
                                 "multipart/related; type=application/dicom+xml; boundary=b")
        self.assertEqual(status, 415)
        status, _, _ = self.post("/studies", b"--b\r\nContent-Type: application/dicom\r\n\r\nab",
                                 "multipart/related; type=application/dicom; boundary=b")
        self.assertEqual(status, 400)

    def test_qido_studies_by_keyword_tag_wildcard_range_and_uid_list(self):
        studies = {str(d.StudyInstanceUID) for d in (*self.ds.values(), self.big, self.rle2)}
        rows, _ = self.qido("/studies")
        # other tests add studies of their own
        self.assertLessEqual(studies, {values(r, "0020000D")[0] for r in rows})
        ct = self.ds["CT_small.dcm"]
        for key in ("PatientID", "00100020"):
            rows, _ = self.qido(f"/studies?{key}={ct.PatientID}")
            self.assertEqual([values(r, "0020000D")[0] for r in rows], [ct.StudyInstanceUID])
        name = str(ct.PatientName)
        rows, _ = self.qido("/studies?PatientName=" + urllib.parse.quote(name[:-2] + "?*"))
        self.assertEqual([values(r, "0020000D")[0] for r in rows], [ct.StudyInstanceUID])
        self.assertEqual(values(rows[0], "00100010")[0]["Alphabetic"], name)
        day = ct.StudyDate
        rows, _ = self.qido(f"/studies?StudyDate={day}-{day}")
        self.assertIn(ct.StudyInstanceUID, [values(r, "0020000D")[0] for r in rows])
        rows, _ = self.qido("/studies?StudyDate=19000101-19000102")
        self.assertEqual(rows, [])
        two = sorted(studies)[:2]
        rows, _ = self.qido("/studies?StudyInstanceUID=" + "%5C".join(two))
        self.assertEqual(sorted(values(r, "0020000D")[0] for r in rows), two)

    def test_qido_includefield_limit_offset_and_warning(self):
        rows, headers = self.qido("/studies?includefield=00081030%2C00080060%2C00080090"
                                  "&limit=1&offset=0&fuzzymatching=false")
        self.assertEqual(len(rows), 1)
        self.assertIn("Warning: 299", headers)
        for tag in ("00081030", "00080090", "00201206", "00201208", "00080061", "00100030"):
            self.assertIn(tag, rows[0])
        everything, headers = self.qido("/studies?limit=1000")
        self.assertNotIn("Warning", headers)
        rows, _ = self.qido(f"/studies?offset={len(everything)}")
        self.assertEqual(rows, [])

    def test_qido_series_and_instances(self):
        mr = self.ds["MR_small.dcm"]
        study = mr.StudyInstanceUID
        rows, _ = self.qido(f"/studies/{study}/series?includefield=0008103E%2C00080021")
        series = {values(r, "0020000E")[0] for r in rows}
        want = {str(d.SeriesInstanceUID) for d in self.ds.values() if d.StudyInstanceUID == study}
        self.assertEqual(series, want)
        for r in rows:
            self.assertIn("00201209", r)
            self.assertIn("00080060", r)
        rows, _ = self.qido(f"/studies/{study}/series/{mr.SeriesInstanceUID}/instances")
        self.assertIn(mr.SOPInstanceUID, [values(r, "00080018")[0] for r in rows])
        rows, _ = self.qido(f"/studies/{study}/instances")
        self.assertEqual(len(rows), sum(1 for d in self.ds.values() if d.StudyInstanceUID == study))
        rows, _ = self.qido(f"/instances?SOPInstanceUID={mr.SOPInstanceUID}")
        self.assertEqual(len(rows), 1)
        rows, _ = self.qido("/series?Modality=CT")
        self.assertIn(self.ds["CT_small.dcm"].SeriesInstanceUID,
                      [values(r, "0020000E")[0] for r in rows])
        status, _, _ = self.get("/studies?NoSuchAttribute=1")
        self.assertEqual(status, 400)
        status, _, _ = self.get("/studies", "-H", "Accept: text/html")
        self.assertEqual(status, 406)
        status, _, _ = self.get("/studies", "-H", "Accept: application/json")
        self.assertEqual(status, 200)

    def test_wado_instance_series_and_study_bytes_equal_the_files(self):
        for name, d in self.ds.items():
            route = (f"/studies/{d.StudyInstanceUID}/series/{d.SeriesInstanceUID}"
                     f"/instances/{d.SOPInstanceUID}")
            status, body, headers = self.get(route, "-H",
                                             "Accept: multipart/related; type=application/dicom;"
                                             " transfer-syntax=*")
            self.assertEqual(status, 200, name)
            parts = split_multipart(body, headers)
            self.assertEqual(len(parts), 1)
            self.assertIn(str(d.file_meta.TransferSyntaxUID), parts[0][0])
            self.assertEqual(parts[0][1], open(path(name), "rb").read(), name)
        mr = self.ds["MR_small.dcm"]
        status, body, headers = self.get(f"/studies/{mr.StudyInstanceUID}")
        parts = split_multipart(body, headers)
        files = {open(path(n), "rb").read() for n, d in self.ds.items()
                 if d.StudyInstanceUID == mr.StudyInstanceUID}
        self.assertEqual({p[1] for p in parts}, files)
        status, body, headers = self.get(
            f"/studies/{mr.StudyInstanceUID}/series/{mr.SeriesInstanceUID}")
        self.assertEqual(status, 200)
        self.assertGreaterEqual(len(split_multipart(body, headers)), 1)
        status, _, _ = self.get(f"/studies/{UID}.404")
        self.assertEqual(status, 404)

    def test_metadata_at_every_level(self):
        ct = self.ds["CT_small.dcm"]
        series = f"/studies/{ct.StudyInstanceUID}/series/{ct.SeriesInstanceUID}"
        for route in (f"/studies/{ct.StudyInstanceUID}/metadata", series + "/metadata",
                      f"{series}/instances/{ct.SOPInstanceUID}/metadata"):
            objs, _ = self.qido(route)
            self.assertEqual(len(objs), 1, route)
            obj = objs[0]
            self.assertEqual(values(obj, "00080018"), [ct.SOPInstanceUID])
            self.assertEqual(values(obj, "00280010"), [ct.Rows])
            self.assertEqual(values(obj, "00100010")[0]["Alphabetic"], str(ct.PatientName))
            self.assertTrue(obj["7FE00010"]["BulkDataURI"].startswith("/dicom-web/studies/"))
            self.assertNotIn("InlineBinary", obj["7FE00010"])
        uri = obj["7FE00010"]["BulkDataURI"][len("/dicom-web"):]
        status, body, headers = self.get(uri)
        self.assertEqual(status, 200)
        pixels = pydicom.dcmread(path("CT_small.dcm")).PixelData
        self.assertEqual(split_multipart(body, headers)[0][1], pixels)
        status, body, headers = self.get(uri, "-H", "Accept: application/octet-stream")
        self.assertEqual((status, body), (200, pixels))
        status, _, _ = self.get(uri[:-8] + "00431234")
        self.assertEqual(status, 404)

    def test_metadata_lists_every_top_level_element(self):
        for name, d in self.ds.items():
            objs, _ = self.qido(f"/studies/{d.StudyInstanceUID}/series/{d.SeriesInstanceUID}"
                                f"/instances/{d.SOPInstanceUID}/metadata")
            full = pydicom.dcmread(path(name))
            want = {f"{e.tag:08X}" for e in full if e.tag != 0xFFFCFFFC}
            self.assertEqual(set(objs[0]), want, name)
            self.assertIn("BulkDataURI", objs[0]["7FE00010"], name)

    def test_multiframe_native_frames_explicit_and_implicit(self):
        ct = pydicom.dcmread(path("CT_small.dcm"))
        size = len(ct.PixelData)
        frames = [ct.PixelData, bytes(reversed(ct.PixelData)), bytes(size)]
        for i, implicit in enumerate((False, True)):
            ds = pydicom.dcmread(path("CT_small.dcm"))
            uid = f"{UID}.{5 + i}"
            ds.StudyInstanceUID, ds.SeriesInstanceUID = uid + ".1", uid + ".2"
            ds.SOPInstanceUID = uid
            ds.file_meta.MediaStorageSOPInstanceUID = uid
            ds.PatientID, ds.PatientName = f"MF{i}", "Multi^Frame"  # apart from CT_small's
            ds.NumberOfFrames = 3
            ds.PixelData = b"".join(frames)
            if implicit:
                ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2"
                ds.is_implicit_VR = True
            out = io.BytesIO()
            ds.save_as(out, write_like_original=False)
            status, body, _ = self.post("/studies", multipart([("application/dicom",
                                                                 out.getvalue())], "m"),
                                        "multipart/related; type=application/dicom; boundary=m")
            self.assertEqual(status, 200, body)
            status, parts = self.frame(ds, "3,2,1", "multipart/related; "
                                       "type=application/octet-stream; transfer-syntax=*")
            self.assertEqual(status, 200)
            self.assertEqual([p[1] for p in parts], frames[::-1])
            status, _ = self.frame(ds, 4, "*/*")
            self.assertEqual(status, 404)

    def test_native_frame_length(self):
        ct = self.ds["CT_small.dcm"]
        route = (f"/studies/{ct.StudyInstanceUID}/series/{ct.SeriesInstanceUID}"
                 f"/instances/{ct.SOPInstanceUID}/frames/1")
        status, body, headers = self.get(route, "-H", "Accept: multipart/related; "
                                         "type=application/octet-stream; transfer-syntax=*")
        self.assertEqual(status, 200, body)
        parts = split_multipart(body, headers)
        self.assertEqual(len(parts), 1)
        self.assertIn("transfer-syntax=1.2.840.10008.1.2.1", parts[0][0])
        want = ct.Rows * ct.Columns * ct.SamplesPerPixel * ct.BitsAllocated // 8
        self.assertEqual(len(parts[0][1]), want)
        full = pydicom.dcmread(path("CT_small.dcm"))
        self.assertEqual(parts[0][1], full.PixelData[:want])
        status, _, _ = self.get(route[:-1] + "2")
        self.assertEqual(status, 404)

    def test_text_in_every_character_set_comes_back_as_pydicom_reads_it(self):
        compared = 0
        for f in sorted(glob.glob(os.path.join(harness.PYDICOM_DATA, "charset_files", "*.dcm"))):
            data = open(f, "rb").read()
            status, _, _ = self.post("/studies", multipart([("application/dicom", data)], "cs"),
                                     "multipart/related; type=application/dicom; boundary=cs")
            if status != 200:
                continue  # refused by validation, or a UID another charset file already used
            d = pydicom.dcmread(f)
            want = d.to_json_dict().get("00100010", {}).get("Value")
            if not want:
                continue
            rows, _ = self.qido(f"/instances?SOPInstanceUID={d.SOPInstanceUID}"
                                "&includefield=00100010")
            self.assertEqual(values(rows[0], "00100010"), want, f)
            meta, _ = self.qido(f"/studies/{d.StudyInstanceUID}/series/{d.SeriesInstanceUID}"
                                f"/instances/{d.SOPInstanceUID}/metadata")
            self.assertEqual(values(meta[0], "00100010"), want, f)
            compared += 1
        self.assertGreaterEqual(compared, 10)

    def test_rendered_and_thumbnail_are_jpeg(self):
        ct = self.ds["CT_small.dcm"]
        inst = (f"/studies/{ct.StudyInstanceUID}/series/{ct.SeriesInstanceUID}"
                f"/instances/{ct.SOPInstanceUID}")
        for route, extra in ((inst + "/rendered?accept=image%2Fjpeg",
                              ["-H", 'Accept: multipart/related; type="application/octet-stream"']),
                             (inst + "/frames/1/rendered?window=40,400,LINEAR&quality=80", []),
                             (inst + "/thumbnail?viewport=64%2C64", []),
                             (f"/studies/{ct.StudyInstanceUID}/thumbnail", []),
                             (f"/studies/{ct.StudyInstanceUID}/series/{ct.SeriesInstanceUID}"
                              "/thumbnail", [])):
            status, body, headers = self.get(route, *extra)
            self.assertEqual(status, 200, route)
            self.assertIn("image/jpeg", headers)
            self.assertEqual(body[:2], b"\xff\xd8", route)
        j2k = self.ds["JPEG2000.dcm"]
        status, body, _ = self.get(f"/studies/{j2k.StudyInstanceUID}/series/"
                                   f"{j2k.SeriesInstanceUID}/instances/{j2k.SOPInstanceUID}"
                                   "/rendered")
        self.assertEqual((status, body[:2]), (200, b"\xff\xd8"))  # decoded with OpenJPEG
        status, _, _ = self.get(inst + "/rendered?accept=image%2Fpng")
        self.assertEqual(status, 406)
        status, _, _ = self.get(inst + "/frames/2/rendered")
        self.assertEqual(status, 404)
        status, _, _ = self.get(inst + "/rendered?viewport=big")
        self.assertEqual(status, 400)

    def test_wado_uri(self):
        d = self.ds["JPGExtended.dcm"]
        base = (f"https://127.0.0.1:{self.arca.http_port}/wado?requestType=WADO"
                f"&studyUID={d.StudyInstanceUID}&seriesUID={d.SeriesInstanceUID}"
                f"&objectUID={d.SOPInstanceUID}")
        status, body, headers = harness.curl(base + "&contentType=application%2Fdicom"
                                             "&transferSyntax=*")
        self.assertEqual(status, 200)
        self.assertIn("application/dicom", headers)
        self.assertEqual(body, open(path("JPGExtended.dcm"), "rb").read())
        status, body, _ = harness.curl(base + "&contentType=application%2Fdicom")
        self.assertEqual(status, 200)
        got = pydicom.dcmread(io.BytesIO(body))
        self.assertEqual(got.file_meta.TransferSyntaxUID, "1.2.840.10008.1.2.1")
        status, body, _ = harness.curl(base)  # image/jpeg by default: rendered
        self.assertEqual((status, body[:2]), (200, b"\xff\xd8"))
        status, _, _ = harness.curl(base + "&contentType=image%2Fpng")
        self.assertEqual(status, 406)
        status, _, _ = harness.curl(base.replace(str(d.SeriesInstanceUID), UID + ".77") +
                                    "&contentType=application%2Fdicom")
        self.assertEqual(status, 404)
        status, _, _ = harness.curl(base.replace("requestType=WADO", "requestType=X"))
        self.assertEqual(status, 400)

    def frame(self, d, number, accept):
        route = (f"/studies/{d.StudyInstanceUID}/series/{d.SeriesInstanceUID}"
                 f"/instances/{d.SOPInstanceUID}/frames/{number}")
        status, body, headers = self.get(route, "-H", "Accept: " + accept)
        parts = split_multipart(body, headers) if status == 200 else []
        return status, parts

    def test_frames_big_endian_and_deflated_come_back_little_endian(self):
        status, parts = self.frame(self.big, 1, "multipart/related; "
                                   "type=application/octet-stream; transfer-syntax=*")
        self.assertEqual(status, 200)
        self.assertIn("transfer-syntax=1.2.840.10008.1.2.1", parts[0][0])
        self.assertEqual(parts[0][1], pydicom.dcmread(path("MR_small.dcm")).PixelData)
        dfl = self.ds["image_dfl.dcm"]
        status, parts = self.frame(dfl, 1, "*/*")
        self.assertEqual(status, 200)
        self.assertEqual(parts[0][1], pydicom.dcmread(path("image_dfl.dcm")).PixelData)

    def test_frames_compressed_as_stored_or_decoded(self):
        full = pydicom.dcmread(path("SC_rgb_rle_2frame.dcm"))
        stored = list(pydicom.encaps.generate_pixel_data_frame(full.PixelData, 2))
        status, parts = self.frame(self.rle2, 2, "multipart/related; "
                                   "type=application/octet-stream; transfer-syntax=*")
        self.assertEqual(status, 200)
        self.assertIn("image/dicom-rle; transfer-syntax=1.2.840.10008.1.2.5", parts[0][0])
        self.assertEqual(parts[0][1], stored[1])
        status, parts = self.frame(self.rle2, 1, "multipart/related; "
                                   "type=application/octet-stream")  # uncompressed, please
        self.assertEqual(status, 200)
        self.assertIn("transfer-syntax=1.2.840.10008.1.2.1", parts[0][0])
        self.assertEqual(len(parts[0][1]), full.Rows * full.Columns * 3)
        j2k = self.ds["JPEG2000.dcm"]
        status, parts = self.frame(j2k, 1, "multipart/related; type=image/jp2; transfer-syntax=*")
        self.assertEqual(status, 200)
        self.assertIn("image/jp2; transfer-syntax=1.2.840.10008.1.2.4.91", parts[0][0])
        status, parts = self.frame(j2k, 1, "multipart/related; type=application/octet-stream; "
                                   "transfer-syntax=1.2.840.10008.1.2.1")
        self.assertEqual(status, 200)  # decoded with OpenJPEG
        size = j2k.Rows * j2k.Columns * j2k.SamplesPerPixel * j2k.BitsAllocated // 8
        self.assertEqual(len(parts[0][1]), size)

    def test_retrieve_in_explicit_little_endian_when_asked(self):
        d = self.ds["JPGExtended.dcm"]
        route = (f"/studies/{d.StudyInstanceUID}/series/{d.SeriesInstanceUID}"
                 f"/instances/{d.SOPInstanceUID}")
        status, body, headers = self.get(route, "-H",
                                         'Accept: multipart/related; type="application/dicom"')
        self.assertEqual(status, 200, body)
        parts = split_multipart(body, headers)
        self.assertIn("transfer-syntax=1.2.840.10008.1.2.1", parts[0][0])
        got = pydicom.dcmread(io.BytesIO(parts[0][1]))
        self.assertEqual(got.file_meta.TransferSyntaxUID, "1.2.840.10008.1.2.1")
        self.assertEqual(got.SOPInstanceUID, d.SOPInstanceUID)
        self.assertEqual(len(got.PixelData), d.Rows * d.Columns * 2)
        status, _, _ = self.get(route, "-H", "Accept: multipart/related; type=application/dicom; "
                                "transfer-syntax=1.2.840.10008.1.2.4.50")
        self.assertEqual(status, 406)


ROUTES = [("GET", "/studies"), ("GET", "/series"), ("GET", "/instances"),
          ("GET", f"/studies/{UID}/series"), ("GET", f"/studies/{UID}/instances"),
          ("GET", f"/studies/{UID}/series/{UID}/instances"), ("GET", f"/studies/{UID}"),
          ("GET", f"/studies/{UID}/series/{UID}"),
          ("GET", f"/studies/{UID}/series/{UID}/instances/{UID}"),
          ("GET", f"/studies/{UID}/metadata"), ("GET", f"/studies/{UID}/series/{UID}/metadata"),
          ("GET", f"/studies/{UID}/series/{UID}/instances/{UID}/metadata"),
          ("GET", f"/studies/{UID}/series/{UID}/instances/{UID}/frames/1"),
          ("GET", f"/studies/{UID}/series/{UID}/instances/{UID}/bulk/7FE00010"),
          ("GET", f"/studies/{UID}/series/{UID}/instances/{UID}/rendered"),
          ("GET", f"/studies/{UID}/series/{UID}/instances/{UID}/frames/1/rendered"),
          ("GET", f"/studies/{UID}/series/{UID}/instances/{UID}/thumbnail"),
          ("GET", f"/studies/{UID}/series/{UID}/thumbnail"), ("GET", f"/studies/{UID}/thumbnail"),
          ("POST", "/studies"), ("POST", f"/studies/{UID}")]


class WithoutTheFlag(unittest.TestCase):
    def test_every_route_is_401(self):
        arca = harness.Arca()
        try:
            arca.serve()
            base = f"https://127.0.0.1:{arca.http_port}/dicom-web"
            for method, route in ROUTES:
                body = ["-H", "Content-Type: multipart/related; type=application/dicom; "
                        "boundary=b", "--data-binary", "--b--"] if method == "POST" else []
                status, _, headers = harness.curl(base + route, "-X", method, *body)
                self.assertEqual(status, 401, (method, route))
                self.assertIn("WWW-Authenticate", headers)
            status, _, _ = harness.curl(f"https://127.0.0.1:{arca.http_port}/wado?requestType=WADO"
                                        f"&studyUID={UID}&seriesUID={UID}&objectUID={UID}")
            self.assertEqual(status, 401)
        finally:
            arca.cleanup()


if __name__ == "__main__":
    harness.main()
