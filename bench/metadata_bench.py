#!/usr/bin/python3
"""WADO-RS /metadata of 200-instance studies over HTTPS, cold and warm (issue 4's target:
<= 15 ms p50 for a 200-instance study; Orthanc ~115 ms).

Imports --studies studies of the benchmark dataset (each 4 series x 50 CT instances) into a
fresh archive (encrypted, audit on: as shipped), starts `arca serve --dev-local-access` on
loopback and asks for /studies/{uid}/metadata over one keep-alive TLS connection:
  uncached  with [storage] metadata_cache_mb = 0 (every instance parsed on every request)
  cold      cache on, its files removed before each request (parse + build + encrypt + write)
  warm      cache on and built (read + decrypt + validate against the index)
  warm_gzip the same with Accept-Encoding: gzip, as browsers (OHIF) send it
Prints p50/p95 per mode and one JSON line (also appended to --out).

  bench/metadata_bench.py --arca build/src/app/arca [--dataset /tmp/bench-data] [--studies 3]
"""
import argparse
import glob
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_util import free_port, log  # noqa: E402


def pct(values, p):
    v = sorted(values)
    k = (len(v) - 1) * p / 100.0
    f = int(k)
    c = min(f + 1, len(v) - 1)
    return v[f] + (v[c] - v[f]) * (k - f)


def summary(seconds):
    ms = [s * 1000 for s in seconds]
    return {"n": len(ms), "p50_ms": round(pct(ms, 50), 2), "p95_ms": round(pct(ms, 95), 2),
            "mean_ms": round(statistics.fmean(ms), 2)}


class Server:
    def __init__(self, arca, work, cache_mb):
        self.arca, self.work = arca, work
        self.flags = ["--data-dir", os.path.join(work, "data"),
                      "--key-file", os.path.join(work, "secrets", "root.key")]
        self.config = os.path.join(work, "arca.toml")
        with open(self.config, "w") as f:
            f.write("[storage]\nmetadata_cache_mb = %d\n" % cache_mb)
        self.proc = None

    def run(self, *args):
        subprocess.run([self.arca, args[0], "--config", self.config, *self.flags, *args[1:]],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self):
        self.port = free_port()
        cmd = [self.arca, "serve", "--config", self.config, *self.flags, "--bind", "127.0.0.1",
               "--http-port", str(self.port), "--dicom-port", str(free_port()),
               "--dicom-tls-port", str(free_port()), "--dev-local-access"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(self.work, "serve.log"), "ab"))
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("arca serve did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)


def connect(port):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=120)


def get_metadata(conn, uid, expected, gzip=False):
    headers = {"Accept": "application/dicom+json"}
    if gzip:
        headers["Accept-Encoding"] = "gzip"
    t0 = time.perf_counter()
    conn.request("GET", "/dicom-web/studies/%s/metadata" % uid, headers=headers)
    r = conn.getresponse()
    body = r.read()
    dt = time.perf_counter() - t0
    if gzip:
        if r.getheader("Content-Encoding") != "gzip":
            raise SystemExit("no gzip answer")
        body = zlib.decompress(body, 16 + zlib.MAX_WBITS)
    if r.status != 200 or len(json.loads(body)) != expected:
        raise SystemExit("bad /metadata answer for %s: %d" % (uid, r.status))
    return dt, body


def measure(server, studies, mode, repeats):
    conn = connect(server.port)
    cache = os.path.join(server.work, "data", "cache", "metadata", "objects")
    times, bodies = [], {}
    get_metadata(conn, studies[0][0], studies[0][1])  # TLS handshake and first-touch costs
    for _ in range(repeats):
        for uid, count in studies:
            if mode == "cold":
                for name in glob.glob(os.path.join(cache, "*", "*")):
                    os.remove(name)
            dt, body = get_metadata(conn, uid, count, gzip=mode == "warm_gzip")
            times.append(dt)
            bodies[uid] = body
    conn.close()
    return summary(times), bodies


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arca", required=True)
    ap.add_argument("--dataset", default="/tmp/bench-data")
    ap.add_argument("--studies", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--out")
    args = ap.parse_args()
    with open(os.path.join(args.dataset, "manifest.json")) as f:
        manifest = json.load(f)
    chosen = manifest["studies"][:args.studies]
    studies = [(st["StudyInstanceUID"], sum(len(se["instances"]) for se in st["series"]))
               for st in chosen]
    work = tempfile.mkdtemp(prefix="arca-metadata-bench-", dir="/tmp")
    load0 = os.getloadavg()
    results = {}
    try:
        for mode, cache_mb in (("uncached", 0), ("cold", 1024), ("warm", 1024),
                              ("warm_gzip", 1024)):
            server = Server(os.path.abspath(args.arca), work, cache_mb)
            if mode == "uncached":
                log("importing", len(chosen), "studies")
                for i in range(len(chosen)):
                    server.run("import", os.path.join(args.dataset, "study-%03d" % i))
            server.start()
            try:
                if mode.startswith("warm"):  # build the entries first
                    measure(server, studies, "build", 1)
                log("measuring", mode)
                results[mode], bodies = measure(server, studies, mode, args.repeats)
                results.setdefault("_bodies", bodies)
                if bodies != results["_bodies"]:
                    raise SystemExit("%s answers differ from the uncached ones" % mode)
                sizes = [len(b) for b in bodies.values()]
                results[mode]["response_bytes"] = round(statistics.fmean(sizes))
            finally:
                server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results.pop("_bodies")
    print("%-10s %8s %8s %8s %12s" % ("mode", "p50 ms", "p95 ms", "mean ms", "bytes"))
    for mode, r in results.items():
        print("%-10s %8s %8s %8s %12s" % (mode, r["p50_ms"], r["p95_ms"], r["mean_ms"],
                                          r["response_bytes"]))
    line = json.dumps({"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                       "instances_per_study": studies[0][1], "studies": len(studies),
                       "results": results, "loadavg_start": load0,
                       "loadavg_end": os.getloadavg(), "nproc": os.cpu_count()})
    print(line)
    if args.out:
        with open(args.out, "a") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
