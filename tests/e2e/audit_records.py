"""Reading the audit trail back in end-to-end tests: the records an action added, and exact
comparison with what the action should have recorded (issue 6: "for each action, a test
performs it over the real transport and finds exactly the expected audit record")."""


class AuditReader:
    """Reads GET /api/v1/audit as `client` (audit.read). new_records() returns the records
    appended since the previous call, without the audit_read records the reading itself adds."""

    def __init__(self, client):
        self.client = client
        self.cursor = 0
        self.new_records()

    def new_records(self):
        out = []
        while True:
            status, body, _ = self.client.request(
                "GET", f"/api/v1/audit?after={self.cursor}&limit=1000")
            assert status == 200, (status, body)
            for r in body["records"]:
                self.cursor = max(self.cursor, r["seq"])
                if r["action"] != "audit_read":
                    out.append(r)
            if body["next_after"] is None:
                return out

    def patient_hash(self, patient_id):
        """The keyed hash the trail uses for `patient_id`: found through the patient filter of
        the search (the server computes it; the test cannot)."""
        status, body, _ = self.client.request(
            "GET", f"/api/v1/audit?patient_id={patient_id}&limit=1")
        assert status == 200 and body["records"], (status, body)
        hashes = body["records"][0]["patients"]
        assert len(hashes) == 1, hashes
        return hashes[0]


def check_record(test, record, client_host="127.0.0.1", **expected):
    """Every field in `expected` equal; the client address from `client_host`; and the fields
    not named empty where they must be (error_code of a success)."""
    for field, want in expected.items():
        test.assertEqual(record[field], want, f"{field} of {record}")
    if client_host is not None:
        test.assertEqual(record["client_address"].rsplit(":", 1)[0], client_host, record)
    if record["outcome"] == "success":
        test.assertEqual(record["error_code"], "", record)


def no_phi(test, records, *values):
    text = str(records)
    for v in values:
        test.assertNotIn(str(v), text)
