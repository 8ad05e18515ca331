#!/usr/bin/python3
"""Retrieval benchmark: the cost of the audit trail on reads. Imports a few studies of
../shared/bench/make-dataset.py's dataset once, then serves the same archive alternately with
the audit trail on and with the benchmark-only `[audit] off_benchmark_only` (on, off, on, off,
so drift in the machine's load hits both alike) and measures, per run:
  - wado: WADO-RS retrieve of single instances (one audit record each: the worst case), by
    --clients parallel HTTPS clients (keep-alive), instances/s;
  - cget: C-GET of whole studies with DCMTK's getscu (two audit records per study), by
    --clients parallel getscu processes, instances/s.

  bench/retrieve.py --arca build/src/app/arca --dataset /tmp/bench-data [--studies 2]
                    [--clients 4] [--rounds 2] [--what wado,cget] [--passes 5]
  bench/retrieve.py ... --clients 1 --bursts 40   (wado: both servers at once, interleaved)

Prints each run's instances/s and server CPU ms per instance (utime + stime from /proc),
then the best of the rounds per mode and the audit cost in %. Compare within one run.
"""
import argparse
import http.client
import json
import os
import sys
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time

import pydicom

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_util import free_port  # noqa: E402


class Archive:
    def __init__(self, arca, root):
        self.arca, self.root = arca, root
        self.flags = ["--data-dir", os.path.join(root, "data"),
                      "--key-file", os.path.join(root, "secrets", "root.key")]
        self.server = None

    def config(self, audit_on):
        path = os.path.join(self.root, "arca.toml")
        with open(path, "w") as f:
            f.write('log_level = "warn"\n')
            if not audit_on:
                f.write("[audit]\noff_benchmark_only = true\n")
        return ["--config", path]

    def run(self, *args):
        p = subprocess.run([self.arca, args[0], *self.flags, *args[1:]], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        if p.returncode != 0:
            raise SystemExit(f"arca {args[0]} failed: {p.stderr.decode()[-2000:]}")
        return p.stdout.decode()

    def serve(self, audit_on):
        self.http_port, self.dicom_port = free_port(), free_port()
        log = open(os.path.join(self.root, "serve.log"), "ab")
        self.server = subprocess.Popen(
            [self.arca, "serve", *self.flags, *self.config(audit_on), "--bind", "127.0.0.1",
             "--http-port", str(self.http_port), "--dicom-port", str(self.dicom_port),
             "--dicom-tls-port", str(free_port())], stdout=log, stderr=log)
        deadline = time.time() + 60
        for port in (self.http_port, self.dicom_port):
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.time() > deadline or self.server.poll() is not None:
                        raise SystemExit("arca serve did not start")
                    time.sleep(0.1)

    def cpu_seconds(self):
        """The server's user + system CPU time so far."""
        with open(f"/proc/{self.server.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.server.send_signal(signal.SIGTERM)
        self.server.wait(timeout=60)


def instances(study_dirs):
    out = []
    for d in study_dirs:
        for base, _, names in os.walk(d):
            for n in sorted(names):
                if n.endswith(".dcm"):
                    ds = pydicom.dcmread(os.path.join(base, n), stop_before_pixels=True)
                    out.append((str(ds.StudyInstanceUID), str(ds.SeriesInstanceUID),
                                str(ds.SOPInstanceUID)))
    return out


def parallel(clients, work):
    """Runs work(i) for i in 0..clients-1 in threads; returns the wall time."""
    errors = []

    def guarded(i):
        try:
            work(i)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(clients)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit(f"retrieve failed: {errors[0]}")
    return time.monotonic() - start


def bench_wado(archive, token, uids, clients, passes):
    context = ssl._create_unverified_context()  # the archive's self-signed certificate

    def work(i):
        conn = http.client.HTTPSConnection("127.0.0.1", archive.http_port, context=context)
        for study, series, sop in (uids * passes)[i::clients]:
            conn.request("GET", f"/dicom-web/studies/{study}/series/{series}/instances/{sop}",
                         headers={"Authorization": f"Bearer {token}", "Accept":
                                  'multipart/related; type="application/dicom"; '
                                  "transfer-syntax=*"})
            r = conn.getresponse()
            body = r.read()
            if r.status != 200 or len(body) < 1000:
                raise RuntimeError(f"WADO-RS answered {r.status}")
        conn.close()
    return len(uids) * passes / parallel(clients, work)


def interleaved_wado(args, root, archive, token, uids):
    """Both servers up at once on copies of one archive, audited and unaudited; bursts of one
    pass over the instances go to each in turn (ABBA) for --bursts rounds, so the machine's
    drift, which moves consecutive one-second runs by up to 14 %, hits both alike. Returns the
    result of each mode: instances/s over all its bursts and server CPU ms per instance.
    The audited server moves its journal into audit.db once a second, which may fall in the
    other server's burst: its wall figure then flatters the audit. The CPU figures count that
    work wherever it falls; with one client the cost to throughput is the extra server CPU per
    read over the whole request cycle (1 / unaudited rate), which main() prints too."""
    twin = Archive(args.arca, os.path.join(root, "twin"))
    shutil.copytree(os.path.join(archive.root, "data"), os.path.join(twin.root, "data"))
    shutil.copytree(os.path.join(archive.root, "secrets"), os.path.join(twin.root, "secrets"))
    servers = {True: archive, False: twin}
    seconds, ratios = {True: 0.0, False: 0.0}, []
    try:
        for audit_on, a in servers.items():
            a.serve(audit_on)
            bench_wado(a, token, uids, args.clients, 1)  # warm-up: caches, connections
        cpu0 = {m: a.cpu_seconds() for m, a in servers.items()}
        for burst in range(args.bursts):
            took = {}
            for audit_on in ((True, False) if burst % 2 == 0 else (False, True)):
                took[audit_on] = len(uids) / bench_wado(servers[audit_on], token, uids,
                                                        args.clients, 1)
                seconds[audit_on] += took[audit_on]
            ratios.append(took[True] / took[False])
        n = len(uids) * args.bursts
        out = {m: (n / seconds[m], 1000 * (servers[m].cpu_seconds() - cpu0[m]) / n)
               for m in servers}
    finally:
        for a in servers.values():
            if a.server and a.server.poll() is None:
                a.stop()
    ratios.sort()
    return out, 100 * (ratios[len(ratios) // 2] - 1)


def bench_cget(archive, studies, clients, out_root):
    def work(i):
        out = tempfile.mkdtemp(dir=out_root)
        for study in studies[i::clients] or studies[:1]:
            p = subprocess.run(["getscu", "-S", "-aet", "BENCH", "-aec", "ARCA", "-od", out,
                                "-k", "QueryRetrieveLevel=STUDY", "-k",
                                f"StudyInstanceUID={study}", "127.0.0.1",
                                str(archive.dicom_port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env=dict(os.environ, TCP_NODELAY="1"))  # Nagle off, as bench-pacs
            if p.returncode != 0:
                raise RuntimeError(p.stdout.decode()[-1000:])
        shutil.rmtree(out)
    return parallel(clients, work)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--arca", default=os.path.join(here, "..", "build", "src", "app", "arca"))
    ap.add_argument("--dataset", required=True, help="output of make-dataset.py")
    ap.add_argument("--studies", type=int, default=2)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--what", default="wado,cget")
    ap.add_argument("--passes", type=int, default=5, help="times each instance is read (wado)")
    ap.add_argument("--bursts", type=int, default=0,
                    help="wado only: N > 0 runs both servers at once and alternates N bursts")
    args = ap.parse_args()
    what = args.what.split(",")
    study_dirs = sorted(os.path.join(args.dataset, d) for d in os.listdir(args.dataset)
                        if os.path.isdir(os.path.join(args.dataset, d)))[:args.studies]
    uids = instances(study_dirs)
    studies = sorted({u[0] for u in uids})
    root = tempfile.mkdtemp(prefix="arca-retrieve-bench-",
                            dir=os.path.dirname(os.path.abspath(args.dataset)))
    archive = Archive(args.arca, root)
    try:
        archive.run("import", *archive.config(True), "--json", *study_dirs)
        archive.run("user", "add", "bench", "--role", "radiologist", "--service-account")
        token = archive.run("token", "create", "--user", "bench", "--name", "bench",
                            "--permissions", "image.read").strip()
        archive.run("peer", "add", "BENCH", "--host", "127.0.0.1",
                    "--allow", "get")
        if args.bursts > 0:
            modes, median = interleaved_wado(args, root, archive, token, uids)
            on, off = modes[True][0], modes[False][0]
            extra_ms = modes[True][1] - modes[False][1]
            result = {"audited_instances_per_s": round(on, 1),
                      "unaudited_instances_per_s": round(off, 1),
                      "audited_server_cpu_ms": round(modes[True][1], 3),
                      "unaudited_server_cpu_ms": round(modes[False][1], 3),
                      "audit_cost_pct": round(100 * (off / on - 1), 1),
                      "audit_cost_median_burst_pct": round(median, 1),
                      "audit_cost_from_cpu_pct": round(100 * extra_ms * off / 1000, 1)}
            print(f"wado  audited {on:8.1f} inst/s ({modes[True][1]:.3f} ms server CPU)   "
                  f"unaudited {off:8.1f} inst/s ({modes[False][1]:.3f} ms)   audit cost "
                  f"{result['audit_cost_pct']}% over all bursts, "
                  f"{result['audit_cost_median_burst_pct']}% median burst pair, "
                  f"{result['audit_cost_from_cpu_pct']}% from the extra server CPU "
                  f"({1000 * extra_ms:.0f} µs per read)")
            print(json.dumps({"instances": len(uids), "clients": args.clients,
                              "bursts": args.bursts, "wado": result}))
            return
        best = {}
        rates = {}
        # ABBA order (on, off, off, on, ...): drift in the machine's load hits both alike.
        for round_ in range(args.rounds):
            for audit_on in ((True, False) if round_ % 2 == 0 else (False, True)):
                archive.serve(audit_on)
                try:
                    for w in what:
                        cpu0 = archive.cpu_seconds()
                        if w == "wado":
                            rate = bench_wado(archive, token, uids, args.clients, args.passes)
                        else:
                            rate = len(uids) / bench_cget(archive, studies, args.clients, root)
                        key = (w, audit_on)
                        best[key] = max(best.get(key, 0), rate)
                        rates.setdefault(key, []).append(rate)
                        cpu_ms = 1000 * (archive.cpu_seconds() - cpu0) / (
                            len(uids) * (args.passes if w == "wado" else 1))
                        print(f"run {w} {'audited' if audit_on else 'unaudited'}: "
                              f"{rate:.1f} inst/s, server CPU {cpu_ms:.2f} ms/inst, "
                              f"load {os.getloadavg()[0]:.2f}", flush=True)
                finally:
                    archive.stop()
        results = {}
        for w in what:
            on, off = best[(w, True)], best[(w, False)]
            # Paired by round (geometric mean of off/on within each round): robust to drift.
            paired = 1.0
            pairs = list(zip(rates[(w, True)], rates[(w, False)]))
            for a, b in pairs:
                paired *= (b / a) ** (1 / len(pairs))
            results[w] = {"audited_instances_per_s": round(on, 1),
                          "unaudited_instances_per_s": round(off, 1),
                          "audit_cost_pct": round(100 * (off / on - 1), 1),
                          "audit_cost_paired_pct": round(100 * (paired - 1), 1)}
            print(f"{w:<5} audited {on:8.1f} inst/s   unaudited {off:8.1f} inst/s   "
                  f"audit cost {results[w]['audit_cost_pct']}% (best runs), "
                  f"{results[w]['audit_cost_paired_pct']}% paired by round")
        print(json.dumps({"instances": len(uids), "studies": len(studies),
                          "clients": args.clients, **results}))
    finally:
        if archive.server and archive.server.poll() is None:
            archive.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
