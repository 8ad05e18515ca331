#!/usr/bin/python3
"""QIDO-RS results and WADO-RS /metadata as application/dicom+xml (PS3.19 Native DICOM Model), end to end: the answer
is multipart/related with one well-formed (xmllint) UTF-8 NativeDicomModel document per instance;
every top-level attribute of the stored file is there with its VR and value as pydicom reads it
(person names by component group, sequences as items, binary values inline, Pixel Data as a
BulkData uri that the bulk data resource serves), and the attributes are the ones /metadata
lists in DICOM JSON.
"""
import base64
import glob
import json
import os
import re
import subprocess
import unittest
import xml.etree.ElementTree as ET

import pydicom

import harness

DATA = harness.PYDICOM_DATA
CT = os.path.join(DATA, "test_files", "CT_small.dcm")
CANDIDATES = [CT] + sorted(glob.glob(os.path.join(DATA, "charset_files", "*.dcm")))
NS = {"n": "http://dicom.nema.org/PS3.19/models/NativeDICOM"}
XML_ACCEPT = 'Accept: multipart/related; type="application/dicom+xml"'


def split_multipart(body, headers):
    m = re.search(r"boundary=\"?([^\";\r\n]+)", headers, re.I)
    delimiter = b"--" + m.group(1).encode()
    parts = []
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk[2:].partition(b"\r\n\r\n")
        parts.append((head.decode(), data[:-2]))
    return parts


def xml_key(tag, creators):
    """How PS3.19 (and DCMTK) name an attribute: private data elements as gggg00ee plus their
    private creator, since the block number depends on where the creator happens to sit."""
    group, elem = tag >> 16, tag & 0xFFFF
    if group % 2 == 1 and elem >= 0x1000:
        return (f"{group:04X}00{elem & 0xFF:02X}", creators.get((group, elem >> 8)))
    return (f"{tag:08X}", None)


def creators_of(ds):
    return {(e.tag.group, e.tag.element): e.value for e in ds
            if e.tag.group % 2 == 1 and 0x10 <= e.tag.element <= 0xFF}


def person_name(attr, number):
    """The three component groups of one PersonName value, each as "Family^Given^..."."""
    pn = attr.find(f"n:PersonName[@number='{number}']", NS)
    groups = []
    for group in ("Alphabetic", "Ideographic", "Phonetic"):
        g = pn.find(f"n:{group}", NS) if pn is not None else None
        comps = []
        if g is not None:
            for comp in ("FamilyName", "GivenName", "MiddleName", "NamePrefix", "NameSuffix"):
                c = g.find(f"n:{comp}", NS)
                comps.append((c.text or "") if c is not None else "")
        groups.append("^".join(comps).rstrip("^"))
    return groups


class MetadataXml(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        cls.arca.serve(["--dev-local-access"])
        cls.base = f"https://127.0.0.1:{cls.arca.http_port}/dicom-web"
        cls.files = []
        for f in CANDIDATES:
            data = open(f, "rb").read()
            body = (b"--b\r\nContent-Type: application/dicom\r\n\r\n" + data + b"\r\n--b--\r\n")
            status, answer, _ = harness.curl(cls.base + "/studies", "-X", "POST", "-H",
                                             "Content-Type: multipart/related; "
                                             "type=application/dicom; boundary=b",
                                             "--data-binary", "@-", stdin=body)
            if status == 200:  # validation refuses some charset files, others share UIDs
                cls.files.append(f)
        assert CT in cls.files and len(cls.files) >= 8, cls.files

    @classmethod
    def tearDownClass(cls):
        cls.arca.cleanup()

    def route(self, ds):
        return (f"/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}"
                f"/instances/{ds.SOPInstanceUID}/metadata")

    def xml_of(self, ds, accept=XML_ACCEPT):
        status, body, headers = harness.curl(self.base + self.route(ds), "-H", accept)
        self.assertEqual(status, 200, body)
        self.assertRegex(headers, r'(?i)content-type: multipart/related; '
                                  r'type="application/dicom\+xml"; boundary=')
        parts = split_multipart(body, headers)
        self.assertEqual(len(parts), 1)
        self.assertIn("application/dicom+xml", parts[0][0])
        document = parts[0][1]
        self.assertTrue(document.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'))
        lint = subprocess.run(["xmllint", "--noout", "-"], input=document, capture_output=True)
        self.assertEqual(lint.returncode, 0, lint.stderr)
        root = ET.fromstring(document)
        self.assertEqual(root.tag, "{%s}NativeDicomModel" % NS["n"])
        return root

    def check_item(self, root, ds, where):
        by_tag = {(a.get("tag"), a.get("privateCreator")): a
                  for a in root.findall("n:DicomAttribute", NS)}
        creators = creators_of(ds)
        for element in ds:
            tag = xml_key(element.tag, creators)
            if element.tag == 0xFFFCFFFC or element.tag.element == 0:  # padding, group lengths
                continue
            self.assertIn(tag, by_tag, (where, element))
            attr = by_tag[tag]
            if tag[1] is not None and attr.get("vr") == "UN":
                continue  # a private element read implicitly: pydicom's private dictionary knows
                # its VR, DCMTK's does not
            self.assertEqual(attr.get("vr"), element.VR, (where, str(element)[:80]))
            if element.VR == "SQ":
                items = attr.findall("n:Item", NS)
                self.assertEqual(len(items), len(element.value), (where, element))
                for i, (item, child) in enumerate(zip(items, element.value)):
                    self.check_item(item, child, f"{where}/{tag}[{i}]")
            elif element.tag == 0x7FE00010:
                uri = attr.find("n:BulkData", NS).get("uri")
                self.assertTrue(uri.startswith("/dicom-web/studies/"), uri)  # relative
                self.assertTrue(uri.endswith("/bulk/7FE00010"), uri)
                status, pixels, _ = harness.curl(f"https://127.0.0.1:{self.arca.http_port}" + uri,
                                                 "-H", "Accept: application/octet-stream")
                self.assertEqual((status, pixels), (200, element.value))
            elif element.VR in ("OB", "OW", "UN", "OF", "OD", "OL"):
                inline = attr.find("n:InlineBinary", NS)
                got = base64.b64decode(inline.text) if inline is not None else b""
                self.assertEqual(got.rstrip(b"\0"), bytes(element.value).rstrip(b"\0"), element)
            elif element.VR == "PN":
                names = [element.value] if element.VM == 1 else list(element.value)
                for i, name in enumerate(names, 1):
                    want = (list(name.components) + ["", "", ""])[:3]
                    self.assertEqual(person_name(attr, i), [w.rstrip("^") for w in want],
                                     (where, element))
            elif element.VM > 0 and element.tag != 0x00080005:
                vals = [v.text or "" for v in attr.findall("n:Value", NS)]
                want = [element.value] if element.VM == 1 else list(element.value)
                self.assertEqual(len(vals), len(want), (where, element))
                for got, expected in zip(vals, want):
                    if isinstance(expected, (int, float)) or element.VR in ("DS", "IS", "FL",
                                                                           "FD"):
                        self.assertAlmostEqual(float(got), float(expected), places=4)
                    else:
                        self.assertEqual(got.strip(), str(expected).strip(), (where, element))

    def test_every_attribute_as_pydicom_reads_it(self):
        for f in self.files:
            ds = pydicom.dcmread(f)
            root = self.xml_of(ds)
            self.check_item(root, ds, os.path.basename(f))

    def test_same_attributes_as_the_json_model_and_bare_accept(self):
        ds = pydicom.dcmread(CT, stop_before_pixels=True)
        root = self.xml_of(ds, accept="Accept: application/dicom+xml")
        status, body, _ = harness.curl(self.base + self.route(ds))
        self.assertEqual(status, 200)
        obj = json.loads(body)[0]
        creators = {(int(t[:4], 16), int(t[4:], 16)): v["Value"][0] for t, v in obj.items()
                    if int(t[:4], 16) % 2 == 1 and 0x10 <= int(t[4:], 16) <= 0xFF}
        json_tags = {xml_key(int(t, 16), creators) for t in obj}
        xml_tags = {(a.get("tag"), a.get("privateCreator"))
                    for a in root.findall("n:DicomAttribute", NS)}
        self.assertEqual(xml_tags, json_tags)
        status, _, _ = harness.curl(self.base + self.route(ds), "-H", "Accept: text/html")
        self.assertEqual(status, 406)

    def test_qido_results_as_xml(self):
        ct = pydicom.dcmread(CT, stop_before_pixels=True)
        rows, _ = self.qido_json(f"/studies?StudyInstanceUID={ct.StudyInstanceUID}")
        status, body, headers = harness.curl(
            self.base + f"/studies?StudyInstanceUID={ct.StudyInstanceUID}", "-H", XML_ACCEPT)
        self.assertEqual(status, 200, body)
        self.assertRegex(headers, r'(?i)content-type: multipart/related; '
                                  r'type="application/dicom\+xml"; boundary=')
        parts = split_multipart(body, headers)
        self.assertEqual(len(parts), 1)
        document = parts[0][1]
        lint = subprocess.run(["xmllint", "--noout", "-"], input=document, capture_output=True)
        self.assertEqual(lint.returncode, 0, lint.stderr)
        root = ET.fromstring(document)
        by_tag = {a.get("tag"): a for a in root.findall("n:DicomAttribute", NS)}
        self.assertEqual(set(by_tag), set(rows[0]))  # the same attributes as the JSON answer
        self.assertEqual(by_tag["0020000D"].find("n:Value", NS).text, ct.StudyInstanceUID)
        self.assertEqual(by_tag["0020000D"].get("keyword"), "StudyInstanceUID")
        self.assertEqual(person_name(by_tag["00100010"], 1)[0], str(ct.PatientName))
        self.assertEqual(by_tag["00201208"].find("n:Value", NS).text, "1")
        status, body, _ = harness.curl(self.base + "/studies?PatientID=nobody", "-H",
                                       XML_ACCEPT)
        self.assertEqual((status, body), (204, b""))

    def qido_json(self, route):
        status, body, headers = harness.curl(self.base + route)
        self.assertEqual(status, 200, body)
        return json.loads(body), headers


if __name__ == "__main__":
    harness.main()
