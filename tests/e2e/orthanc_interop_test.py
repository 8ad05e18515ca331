#!/usr/bin/python3
"""Orthanc as a DICOM peer of Arca, in both directions, all on 127.0.0.1: Orthanc C-STOREs a
study to Arca (REST /modalities/{id}/store); Arca C-MOVEs studies to Orthanc (movescu asking
Arca, and Orthanc asking Arca itself through /modalities/{id}/move); Orthanc C-FINDs Arca
(/modalities/{id}/query) and gets the expected studies. Bytes are compared with what a
bit-preserving storescp receives from the same sender. The test starts its own Orthanc (Debian
package `orthanc`) with a temporary configuration, storage folder and free ports.
"""
import glob
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

import pydicom

import harness
from dimse_retrieve_test import StoreScp
from dimse_test import TEST_FILES, dataset_bytes, storescu

ORTHANC_BIN = "/usr/sbin/Orthanc"
REST_TIMEOUT = 60


class Orthanc:
    """A throw-away Orthanc: loopback only, no plugins, its own storage under `root`."""

    def __init__(self, root, arca_port):
        self.dir = tempfile.mkdtemp(prefix="orthanc-", dir=root)
        self.http_port = harness.free_port()
        self.dicom_port = harness.free_port()
        storage = os.path.join(self.dir, "storage")
        config = {
            "Name": "arca-interop",
            "StorageDirectory": storage,
            "IndexDirectory": storage,
            "Plugins": [],
            "HttpPort": self.http_port,
            "RemoteAccessAllowed": False,
            "AuthenticationEnabled": False,
            "DicomServerEnabled": True,
            "DicomAet": "ORTHANC",
            "DicomPort": self.dicom_port,
            "DicomCheckCalledAet": False,
            # Orthanc 1.10 cannot bind to loopback only: admit known modalities from their
            # configured address, nothing else.
            "DicomAlwaysAllowEcho": False,
            "DicomAlwaysAllowStore": False,
            "DicomAlwaysAllowFind": False,
            "DicomAlwaysAllowGet": False,
            "DicomAlwaysAllowMove": False,
            "DicomCheckModalityHost": True,
            "DicomScuTimeout": 30,
            "DicomModalities": {"arca": ["ARCA", "127.0.0.1", arca_port],
                                "oracle": ["ORACLE", "127.0.0.1", 1]},
            "OrthancExplorerEnabled": False,
            "WebDavEnabled": False,
            "SaveJobs": False,
            "HttpTimeout": REST_TIMEOUT,
        }
        self.config = os.path.join(self.dir, "orthanc.json")
        with open(self.config, "w") as f:
            json.dump(config, f)
        self.log = os.path.join(self.dir, "orthanc.log")
        env = dict(os.environ)
        env.pop("TCP_NODELAY", None)
        self.process = subprocess.Popen([ORTHANC_BIN, "--logfile=" + self.log, self.config],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, env=env)
        deadline = time.time() + 60
        while True:
            if self.process.poll() is not None:
                raise AssertionError("Orthanc exited during startup:\n" + self.log_text())
            try:
                self.get("/system")
                return
            except OSError:
                if time.time() > deadline:
                    raise AssertionError("Orthanc not ready:\n" + self.log_text())
                time.sleep(0.2)

    def set_oracle(self, port):
        """Points Orthanc's `oracle` modality at a storescp (REST, no restart)."""
        self.put("/modalities/oracle", {"AET": "ORACLE", "Host": "127.0.0.1", "Port": port})

    def request(self, method, path, body=None, content_type="application/json"):
        data = body
        if body is not None and not isinstance(body, bytes):
            data = json.dumps(body).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{self.http_port}{path}", data=data,
                                     method=method)
        if data is not None:
            req.add_header("Content-Type", content_type)
        with urllib.request.urlopen(req, timeout=REST_TIMEOUT) as r:
            raw = r.read()
        if r.headers.get_content_type() == "application/json":
            return json.loads(raw)
        return raw

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, body):
        return self.request("POST", path, body)

    def put(self, path, body):
        return self.request("PUT", path, body)

    def upload(self, path):
        with open(path, "rb") as f:
            return self.request("POST", "/instances", f.read(), "application/dicom")

    def instances(self):
        """{SOP Instance UID: Part-10 bytes} of everything Orthanc holds."""
        out = {}
        for oid in self.get("/instances"):
            tags = self.get(f"/instances/{oid}/simplified-tags")
            out[tags["SOPInstanceUID"]] = self.get(f"/instances/{oid}/file")
        return out

    def clear(self):
        for oid in self.get("/studies"):
            self.request("DELETE", f"/studies/{oid}")

    def log_text(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def make_study(folder, source, count):
    """`count` copies of `source` as one new study and series; returns their paths."""
    study, series = pydicom.uid.generate_uid(), pydicom.uid.generate_uid()
    paths = []
    for i in range(count):
        ds = pydicom.dcmread(os.path.join(TEST_FILES, source))
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
        ds.SOPInstanceUID = pydicom.uid.generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.InstanceNumber = i + 1
        path = os.path.join(folder, f"{source}-{i}.dcm")
        ds.save_as(path)
        paths.append(path)
    return study, paths


def dataset_of(part10):
    """The data set bytes of a Part-10 object held in memory."""
    with tempfile.NamedTemporaryFile(suffix=".dcm") as f:
        f.write(part10)
        f.flush()
        return dataset_bytes(f.name)


class OrthancInteropTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = harness.Arca()
        root = cls.arca.root
        cls.files = tempfile.mkdtemp(dir=root)
        cls.oracle = StoreScp(root, "ORACLE", "+xa", "+B")
        # Orthanc needs Arca's port and Arca needs Orthanc's: reserve Arca's ports first.
        arca_port = harness.free_port()
        cls.orthanc = Orthanc(root, arca_port)
        cls.orthanc.set_oracle(cls.oracle.port)
        for args in (["MODALITY", "--allow", "store"],
                     ["MOVER", "--allow", "move"],
                     ["GETTER", "--allow", "get"],
                     ["ORTHANC", "--allow", "store,find,move,receive", "--port",
                      str(cls.orthanc.dicom_port)]):
            cls.arca.run("peer", "add", *args, "--host", "127.0.0.1", check=0)
        cls.arca.serve(dicom_port=arca_port)

    @classmethod
    def tearDownClass(cls):
        cls.orthanc.stop()
        cls.oracle.stop()
        cls.arca.cleanup()

    def setUp(self):
        self.oracle.clear()
        self.orthanc.clear()

    def test_orthanc_admits_only_its_configured_peers(self):
        p = subprocess.run(["echoscu", "-aet", "NOBODY", "-aec", "ORTHANC", "127.0.0.1",
                            str(self.orthanc.dicom_port)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        self.assertNotEqual(p.returncode, 0, p.stdout)

    def get_from_arca(self, study):
        """{SOP Instance UID: data set bytes} of a study, fetched back with getscu."""
        out = tempfile.mkdtemp(dir=self.arca.root)
        p = subprocess.run(["getscu", "-S", "+B", "-aet", "GETTER", "-aec", "ARCA", "-od", out,
                            "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + study,
                            "127.0.0.1", str(self.arca.dicom_port)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        self.assertEqual(p.returncode, 0, p.stdout)
        return {str(pydicom.dcmread(f, stop_before_pixels=True).SOPInstanceUID):
                dataset_bytes(f) for f in glob.glob(os.path.join(out, "*"))}

    def sent_by_orthanc(self, resource):
        """What Orthanc puts on the wire for a resource, as the bit-preserving oracle keeps it."""
        self.post_job("/modalities/oracle/store", {"Resources": [resource], "Synchronous": True})
        return {uid: dataset_bytes(path) for uid, path in self.oracle.received().items()}

    def post_job(self, path, body):
        return self.orthanc.post(path, body)

    def test_orthanc_stores_a_study_to_arca(self):
        study, paths = make_study(self.files, "CT_small.dcm", 3)
        ids = {self.orthanc.upload(p)["ParentStudy"] for p in paths}
        self.assertEqual(len(ids), 1)
        (orthanc_study,) = ids
        expected = self.sent_by_orthanc(orthanc_study)
        self.assertEqual(len(expected), 3)
        answer = self.post_job("/modalities/arca/store",
                               {"Resources": [orthanc_study], "Synchronous": True})
        self.assertEqual(answer.get("InstancesCount"), 3, answer)
        self.assertEqual(answer.get("FailedInstancesCount"), 0, answer)
        self.assertEqual(self.get_from_arca(study), expected)

    def test_orthanc_under_an_unknown_calling_ae_title_is_refused(self):
        study, paths = make_study(self.files, "CT_small.dcm", 1)
        (orthanc_study,) = {self.orthanc.upload(p)["ParentStudy"] for p in paths}
        with self.assertRaises(urllib.error.HTTPError):
            self.post_job("/modalities/arca/store", {"Resources": [orthanc_study],
                                                     "LocalAet": "STRANGER",
                                                     "Synchronous": True})
        self.assertEqual(self.get_from_arca(study), {})

    def store_to_arca(self, paths):
        p = storescu("MODALITY", "ARCA", self.arca.dicom_port, paths)
        self.assertEqual(p.returncode, 0, p.stdout)
        sent = StoreScp(self.arca.root, "ORACLE", "+xa", "+B")
        try:
            p = storescu("MODALITY", "ORACLE", sent.port, paths)
            self.assertEqual(p.returncode, 0, p.stdout)
            return {uid: dataset_bytes(path) for uid, path in sent.received().items()}
        finally:
            sent.stop()

    def assert_orthanc_holds(self, expected):
        held = self.orthanc.instances()
        self.assertEqual(set(held), set(expected))
        for uid, part10 in held.items():
            self.assertEqual(dataset_of(part10), expected[uid], uid)

    def test_movescu_moves_studies_from_arca_to_orthanc(self):
        study, paths = make_study(self.files, "MR_small.dcm", 4)
        jpeg = [os.path.join(TEST_FILES, n) for n in ("JPEG2000.dcm", "JPGExtended.dcm")]
        expected = self.store_to_arca(paths + jpeg)
        jpeg_study = str(pydicom.dcmread(jpeg[0], stop_before_pixels=True).StudyInstanceUID)
        p = subprocess.run(["movescu", "-S", "-aet", "MOVER", "-aec", "ARCA", "-aem", "ORTHANC",
                            "-k", "QueryRetrieveLevel=STUDY",
                            "-k", f"StudyInstanceUID={study}\\{jpeg_study}",
                            "127.0.0.1", str(self.arca.dicom_port)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assert_orthanc_holds(expected)

    def test_orthanc_moves_a_study_from_arca_to_itself(self):
        study, paths = make_study(self.files, "CT_small.dcm", 2)
        expected = self.store_to_arca(paths)
        self.post_job("/modalities/arca/move",
                      {"Level": "Study", "Resources": [{"StudyInstanceUID": study}],
                       "TargetAet": "ORTHANC", "Synchronous": True})
        self.assert_orthanc_holds(expected)

    def test_orthanc_finds_studies_and_series_in_arca(self):
        study_a, paths_a = make_study(self.files, "CT_small.dcm", 2)
        study_b, paths_b = make_study(self.files, "MR_small.dcm", 3)
        self.store_to_arca(paths_a + paths_b)
        query = self.orthanc.post("/modalities/arca/query", {
            "Level": "Study",
            "Query": {"StudyInstanceUID": f"{study_a}\\{study_b}", "ModalitiesInStudy": "",
                      "NumberOfStudyRelatedInstances": ""}})
        answers = self.orthanc.get(f"/queries/{query['ID']}/answers?expand&simplify")
        found = {a["StudyInstanceUID"]: a for a in answers}
        self.assertEqual(set(found), {study_a, study_b})
        self.assertEqual(found[study_a]["ModalitiesInStudy"], "CT")
        self.assertEqual(found[study_b]["NumberOfStudyRelatedInstances"], "3")
        query = self.orthanc.post("/modalities/arca/query", {
            "Level": "Series", "Query": {"StudyInstanceUID": study_b, "Modality": "",
                                         "SeriesInstanceUID": ""}})
        answers = self.orthanc.get(f"/queries/{query['ID']}/answers?expand&simplify")
        self.assertEqual([a["Modality"] for a in answers], ["MR"])
        query = self.orthanc.post("/modalities/arca/query", {
            "Level": "Study", "Query": {"StudyInstanceUID": "1.2.3.999"}})
        self.assertEqual(self.orthanc.get(f"/queries/{query['ID']}/answers"), [])


if __name__ == "__main__":
    harness.main()
