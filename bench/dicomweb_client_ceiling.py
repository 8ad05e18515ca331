#!/usr/bin/python3
"""How much of a DICOMweb benchmark the client itself takes: ../shared/bench/bench-pacs.py's own
HTTP client class (loaded from that file, so the very code the comparison with Orthanc runs)
retrieves whole studies by WADO-RS over HTTPS from `arca serve` as shipped, and the script
reports, next to MB/s, the client's own CPU per MB and its CPU/wall. A single-threaded client at
CPU/wall ~1.0 is the bottleneck: 1 / (its CPU per MB) is the most it can receive from any server
over TLS on this machine, which bounds the Arca/Orthanc ratio of issue 4's "WADO-RS whole-study
MB/s" (Orthanc is measured over plain HTTP, where the client does no TLS).

  bench/dicomweb_client_ceiling.py --arca build/src/app/arca --dataset /tmp/bench-data
                                   [--studies 6] [--rounds 3]

Also STOW-RS with bench-pacs.py's request shape (4 threads, 50 instances per request): client
CPU ms per instance next to the server's, whose sum bounds instances/s on 2 cores.
"""
import argparse
import importlib.util
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from retrieve import Archive, instances  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH_PACS = os.path.join(HERE, "..", "..", "shared", "bench", "bench-pacs.py")


def bench_pacs():
    spec = importlib.util.spec_from_file_location("bench_pacs", BENCH_PACS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def process_cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def wado_round(bp, url, token, studies):
    http = bp.Http(url, auth="Bearer " + token)
    accept = {"Accept": 'multipart/related; type="application/dicom"'}
    http.request("GET", "/studies/%s" % studies[0], accept)  # warm-up, as bench-pacs.py does
    nbytes, cpu0, t0 = 0, process_cpu(), time.perf_counter()
    for uid in studies:
        status, _, data = http.request("GET", "/studies/%s" % uid, accept)
        if status != 200:
            raise SystemExit("WADO-RS answered %d" % status)
        nbytes += len(data)
        del data
    wall, cpu = time.perf_counter() - t0, process_cpu() - cpu0
    http.close()
    return nbytes, wall, cpu


def stow_round(bp, url, token, files, clients=4, batch=50):
    batches = [files[i:i + batch] for i in range(0, len(files), batch)]
    lock, state = threading.Lock(), {"next": 0, "errors": 0}

    def worker():
        http = bp.Http(url, auth="Bearer " + token)
        boundary = "benchpacs%08x" % random.getrandbits(32)
        while True:
            with lock:
                i = state["next"]
                state["next"] += 1
            if i >= len(batches):
                break
            chunks = []
            for path in batches[i]:
                chunks.append(("--%s\r\nContent-Type: application/dicom\r\n\r\n" % boundary).encode())
                with open(path, "rb") as f:
                    chunks.append(f.read())
                chunks.append(b"\r\n")
            chunks.append(("--%s--\r\n" % boundary).encode())
            status, _, _ = http.request("POST", "/studies", {
                "Content-Type": 'multipart/related; type="application/dicom"; boundary=%s' % boundary,
                "Accept": "application/dicom+json"}, b"".join(chunks))
            if status not in (200, 202):
                with lock:
                    state["errors"] += 1
        http.close()

    cpu0, t0 = process_cpu(), time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if state["errors"]:
        raise SystemExit("%d STOW-RS requests failed" % state["errors"])
    return time.perf_counter() - t0, process_cpu() - cpu0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arca", default=os.path.join(HERE, "..", "build", "src", "app", "arca"))
    ap.add_argument("--dataset", required=True, help="output of make-dataset.py")
    ap.add_argument("--studies", type=int, default=6, help="studies retrieved (WADO-RS)")
    ap.add_argument("--stow-studies", type=int, default=4, help="studies stored (STOW-RS)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    bp = bench_pacs()
    dirs = sorted(os.path.join(args.dataset, d) for d in os.listdir(args.dataset)
                  if os.path.isdir(os.path.join(args.dataset, d)))
    wado_dirs, stow_dirs = dirs[:args.studies], dirs[args.studies:args.studies + args.stow_studies]
    studies = sorted({u[0] for u in instances(wado_dirs)})
    stow_files = sorted(os.path.join(d, f) for top in stow_dirs for d, _, fs in os.walk(top)
                        for f in fs if f.endswith(".dcm"))
    root = tempfile.mkdtemp(prefix="arca-client-ceiling-",
                            dir=os.path.dirname(os.path.abspath(args.dataset)))
    archive = Archive(args.arca, root)
    out = {"wado": [], "stow": None}
    try:
        archive.run("import", *archive.config(True), "--json", *wado_dirs)
        archive.run("user", "add", "bench", "--role", "technologist", "--service-account")
        token = archive.run("token", "create", "--user", "bench", "--name", "bench",
                            "--permissions", "image.read,study.write").strip()
        archive.serve(True)
        url = "https://127.0.0.1:%d/dicom-web" % archive.http_port
        for _ in range(args.rounds):
            server0 = archive.cpu_seconds()
            nbytes, wall, cpu = wado_round(bp, url, token, studies)
            server = archive.cpu_seconds() - server0
            mb = nbytes / 1e6
            row = {"MB": round(mb, 1), "MB_per_s": round(mb / wall, 1),
                   "client_cpu_ms_per_MB": round(1000 * cpu / mb, 3),
                   "client_cpu_per_wall": round(cpu / wall, 2),
                   "client_ceiling_MB_per_s": round(mb / cpu, 1),
                   "server_cpu_ms_per_MB": round(1000 * server / mb, 3)}
            out["wado"].append(row)
            print("WADO-RS study: %(MB_per_s)7.1f MB/s  client %(client_cpu_ms_per_MB).3f ms CPU/MB "
                  "(CPU/wall %(client_cpu_per_wall).2f, ceiling %(client_ceiling_MB_per_s).1f MB/s)  "
                  "server %(server_cpu_ms_per_MB).3f ms CPU/MB" % row + "  load %.2f"
                  % os.getloadavg()[0], flush=True)
        if stow_files:
            server0 = archive.cpu_seconds()
            wall, cpu = stow_round(bp, url, token, stow_files)
            server = archive.cpu_seconds() - server0
            n = len(stow_files)
            out["stow"] = {"instances": n, "instances_per_s": round(n / wall, 1),
                           "client_cpu_ms_per_instance": round(1000 * cpu / n, 3),
                           "server_cpu_ms_per_instance": round(1000 * server / n, 3),
                           "two_core_bound_instances_per_s": round(2 * n / (cpu + server), 1)}
            print("STOW-RS 4 clients: %(instances_per_s).1f inst/s  client %(client_cpu_ms_per_instance).3f "
                  "ms CPU/inst  server %(server_cpu_ms_per_instance).3f ms CPU/inst  "
                  "(2 cores / their sum: %(two_core_bound_instances_per_s).1f inst/s)" % out["stow"],
                  flush=True)
        print(json.dumps(out))
    finally:
        if archive.server and archive.server.poll() is None:
            archive.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
