#!/usr/bin/python3
"""The npm package dicomweb-client, an independent DICOMweb client, against
`arca serve --dev-local-access` (tests/node/dicomweb_client_test.js does the requests). This file
starts Arca, computes what the client must get back from the source files with pydicom (UIDs,
names, SHA-256 of each file and of its first native frame) and runs node. The client's node
modules are installed from tests/node/package-lock.json by scripts/setup into
.deps/node-tests.
"""
import hashlib
import json
import os
import subprocess
import unittest

import pydicom

import harness

SOURCE = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
NODE_MODULES = os.path.join(SOURCE, ".deps", "node-tests", "node_modules")
SCRIPT = os.path.join(SOURCE, "tests", "node", "dicomweb_client_test.js")
# MR_small, JPEG2000 and JPGExtended share a study; native, deflated, RLE, JPEG, JPEG 2000.
FILES = ["CT_small.dcm", "MR_small.dcm", "JPEG2000.dcm", "SC_rgb_rle.dcm", "image_dfl.dcm",
         "JPGExtended.dcm", "SC_rgb_small_odd.dcm"]


def expectation(name):
    path = os.path.join(harness.PYDICOM_DATA, "test_files", name)
    with open(path, "rb") as f:
        data = f.read()
    ds = pydicom.dcmread(path)
    native = not ds.file_meta.TransferSyntaxUID.is_compressed
    frame = None
    if native and "PixelData" in ds and \
            ds.file_meta.TransferSyntaxUID in ("1.2.840.10008.1.2", "1.2.840.10008.1.2.1"):
        size = ds.Rows * ds.Columns * ds.SamplesPerPixel * ds.BitsAllocated // 8
        frame = hashlib.sha256(ds.PixelData[:size]).hexdigest()
    # Arca drops trailing component delimiters (PS3.5 6.2.1): "^^^^" is an empty name.
    name_json = []
    for name_value in ds.to_json_dict().get("00100010", {}).get("Value", []):
        groups = {k: v.rstrip("^") for k, v in name_value.items() if v.rstrip("^")}
        if groups:
            name_json.append(groups)
    prefix = str(ds.get("PatientName", "")).split("^")[0][:4]
    return {
        "name": name, "path": path, "sha256": hashlib.sha256(data).hexdigest(),
        "study": ds.StudyInstanceUID, "series": ds.SeriesInstanceUID, "sop": ds.SOPInstanceUID,
        "sop_class": ds.SOPClassUID, "patient_id": str(ds.get("PatientID", "")),
        "patient_name": name_json, "name_prefix": prefix if prefix.isascii() else "",
        "study_date": str(ds.get("StudyDate", "")), "frame_sha256": frame,
        "renders": "PixelData" in ds,
        "explicit_le": ds.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1",
    }


class DicomwebClient(unittest.TestCase):
    def check_retrieved(self, name, out_dir):
        """The instance the client retrieved (Explicit VR Little Endian) against its source."""
        source = pydicom.dcmread(os.path.join(harness.PYDICOM_DATA, "test_files", name))
        got = pydicom.dcmread(os.path.join(out_dir, source.SOPInstanceUID + ".dcm"))
        self.assertEqual(got.file_meta.TransferSyntaxUID, "1.2.840.10008.1.2.1", name)
        for element in source:
            if element.tag in (0x7FE00010, 0xFFFCFFFC) or element.tag.element == 0:
                continue
            if element.tag == 0x00280004 and source.file_meta.TransferSyntaxUID.is_compressed:
                continue  # a decoded YBR_FULL_422 JPEG is stored as YBR_FULL or RGB
            self.assertIn(element.tag, got, (name, element))
            if element.VR != "SQ":
                self.assertEqual(got[element.tag].value, element.value, (name, element))
        frames = int(getattr(source, "NumberOfFrames", 1) or 1)
        size = (source.Rows * source.Columns * source.SamplesPerPixel *
                source.BitsAllocated // 8 * frames)
        self.assertIn(len(got.PixelData), (size, size + 1), name)  # decoded, maybe padded
        if not source.file_meta.TransferSyntaxUID.is_compressed:
            self.assertEqual(got.PixelData, source.PixelData, name)


    def test_dicomweb_client_from_node(self):
        self.assertTrue(os.path.isdir(os.path.join(NODE_MODULES, "dicomweb-client")),
                        "node modules missing: run scripts/setup")
        arca = harness.Arca()
        try:
            arca.serve(["--dev-local-access"])
            expectations = os.path.join(arca.root, "expectations.json")
            with open(expectations, "w") as f:
                json.dump([expectation(n) for n in FILES], f)
            env = dict(os.environ, NODE_PATH=NODE_MODULES,
                       NODE_EXTRA_CA_CERTS=arca.certificate())
            out_dir = os.path.join(arca.root, "retrieved")
            os.makedirs(out_dir)
            p = subprocess.run(["node", SCRIPT, f"https://127.0.0.1:{arca.http_port}/dicom-web",
                                expectations, out_dir], env=env, capture_output=True,
                               timeout=300)
            out = p.stdout.decode(errors="replace")
            print(out[-3000:], p.stderr.decode(errors="replace")[-2000:])
            self.assertEqual(p.returncode, 0, out[-3000:])
            self.assertRegex(out, r"(^|\n)[1-9][0-9]* passed, 0 failed")
            for name in FILES:
                self.check_retrieved(name, out_dir)
        finally:
            arca.cleanup()


if __name__ == "__main__":
    harness.main()
