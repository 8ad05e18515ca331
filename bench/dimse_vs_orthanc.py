#!/usr/bin/python3
"""DIMSE benchmark, Arca against Orthanc in one run on this machine (issue 3's performance
targets): ../shared/bench/bench-pacs.py's C-STORE (1 and --parallel associations) and C-FIND
phases against each server, then C-MOVE throughput (every study of the dataset moved to a
storescp that discards what it receives). Arca runs as shipped (blobs encrypted, index
encrypted); Orthanc runs from ../shared/bench/orthanc-up.sh with TCP_NODELAY=1, so both have
Nagle off. Everything listens on 127.0.0.1, on free ports, under a temp folder removed at the end.

  bench/dimse_vs_orthanc.py --arca build/src/app/arca --dataset /tmp/bench-data [--out F.jsonl]

The dataset comes from `../shared/bench/make-dataset.py /tmp/bench-data`. Prints a table with
the Arca/Orthanc ratios and one JSON line (also appended to --out). Targets: C-STORE >= 3x
Orthanc's instances/s, C-FIND p50 <= 20 ms (association set-up included).
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_util import free_port, log, wait_listening  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "bench"))
SCU_AET = "BENCHSCU"
PHASES = "dimse1,dimse4,cfind"


def arca_reset_script(work, arca, ports):
    """A shell script that stops Arca, wipes its archive and starts it again, empty."""
    root = os.path.join(work, "arca")
    flags = "--data-dir '%s/data' --key-file '%s/secrets/root.key'" % (root, root)
    serve = ("'%s' serve %s --bind 127.0.0.1 --http-port %d --dicom-port %d "
             "--dicom-tls-port %d --dev-local-access" % (arca, flags, ports["arca_http"],
                                                         ports["arca_dicom"], ports["arca_tls"]))
    script = os.path.join(work, "arca-reset.sh")
    with open(script, "w") as f:
        f.write("""#!/bin/bash
set -euo pipefail
pidfile='%(root)s/arca.pid'
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  pid=$(cat "$pidfile"); kill -TERM "$pid"
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
fi
rm -rf '%(root)s/data'
mkdir -p '%(root)s'
'%(arca)s' peer add %(aet)s %(flags)s --host 127.0.0.1 --port %(scu_port)d \\
  --allow store,find,move,receive >/dev/null
setsid %(serve)s </dev/null >>'%(root)s/serve.log' 2>&1 &
echo $! > "$pidfile"
for _ in $(seq 600); do
  echoscu -to 2 -aet %(aet)s -aec ARCA 127.0.0.1 %(dicom)d >/dev/null 2>&1 && exit 0
  sleep 0.1
done
echo "arca not ready" >&2; exit 1
""" % {"root": root, "arca": arca, "aet": SCU_AET, "flags": flags, "scu_port": ports["scu"],
       "serve": serve, "dicom": ports["arca_dicom"]})
    os.chmod(script, 0o755)
    return script


def run_bench(dataset, label, target, env, args, work):
    out = os.path.join(work, "results.jsonl")
    cmd = [sys.executable, os.path.join(SHARED, "bench-pacs.py"), dataset, "--phases", PHASES,
           "--parallel", str(args.parallel), "--cfind-queries", str(args.cfind_queries),
           "--scu-aet", SCU_AET, "--label", label, "--out", out, *target]
    log("bench-pacs.py against", label)
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with open(os.path.join(work, label + ".txt"), "w") as f:
        f.write(p.stdout + p.stderr)
    if p.returncode != 0:
        raise SystemExit("bench-pacs.py failed for %s:\n%s" % (label, p.stderr[-3000:]))
    print(p.stdout.rsplit("\n", 2)[0])
    return json.loads(p.stdout.strip().splitlines()[-1])


def study_uids(dataset):
    with open(os.path.join(dataset, "manifest.json")) as f:
        manifest = json.load(f)
    count = sum(len(se["instances"]) for st in manifest["studies"] for se in st["series"])
    return [st["StudyInstanceUID"] for st in manifest["studies"]], count


def measure_move(called, port, dataset, scu_port):
    """Moves every study (one movescu each) to a storescp that discards; instances/s."""
    studies, count = study_uids(dataset)
    scp = subprocess.Popen(["storescp", "--ignore", "-aet", SCU_AET, str(scu_port)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env=dict(os.environ, TCP_NODELAY="1"))
    try:
        wait_listening(scu_port, scp)
        env = dict(os.environ, TCP_NODELAY="1")
        start = time.perf_counter()
        for uid in studies:
            p = subprocess.run(["movescu", "-v", "-S", "-aet", SCU_AET, "-aec", called, "-aem",
                                SCU_AET, "-k", "QueryRetrieveLevel=STUDY",
                                "-k", "StudyInstanceUID=" + uid, "127.0.0.1", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=env, timeout=1800)
            if p.returncode != 0 or "Final Move Response (Success)" not in p.stdout:
                raise SystemExit("C-MOVE of %s from %s failed:\n%s" % (uid, called,
                                                                       p.stdout[-2000:]))
        wall = time.perf_counter() - start
    finally:
        scp.terminate()
        scp.wait(timeout=30)
    return {"instances": count, "studies": len(studies), "wall_s": round(wall, 2),
            "instances_per_s": round(count / wall, 1)}


def bench_orthanc(args, work, ports):
    run = os.path.join(work, "orthanc")
    env = dict(os.environ, ORTHANC_RUN_DIR=run, HTTP_PORT=str(ports["orthanc_http"]),
               DICOM_PORT=str(ports["orthanc_dicom"]), DICOM_AET="ORTHANC", SCU_AET=SCU_AET,
               SCU_PORT=str(ports["scu"]), ORTHANC_TCP_NODELAY="1")
    up, down = os.path.join(SHARED, "orthanc-up.sh"), os.path.join(SHARED, "orthanc-down.sh")
    reset = "'%s' --kill >/dev/null && '%s' --fresh >/dev/null" % (down, up)
    subprocess.run([up, "--fresh"], env=env, check=True, stdout=subprocess.DEVNULL)
    try:
        target = ["--dicomweb-url", "http://127.0.0.1:%d/dicom-web" % ports["orthanc_http"],
                  "--dicom-port", str(ports["orthanc_dicom"]), "--aet", "ORTHANC",
                  "--server-pid-file", os.path.join(run, "orthanc.pid"),
                  "--storage-dir", os.path.join(run, "storage"), "--reset-cmd", reset]
        result = run_bench(args.dataset, "orthanc", target, env, args, work)
        log("C-MOVE from Orthanc")
        result["cmove"] = measure_move("ORTHANC", ports["orthanc_dicom"], args.dataset,
                                       ports["scu"])
    finally:
        subprocess.run([down, "--kill", "--wipe"], env=env, stdout=subprocess.DEVNULL)
    return result


def bench_arca(args, work, ports):
    script = arca_reset_script(work, os.path.abspath(args.arca), ports)
    pidfile = os.path.join(work, "arca", "arca.pid")
    subprocess.run([script], check=True)
    try:
        target = ["--dicomweb-url", "https://127.0.0.1:%d/dicom-web" % ports["arca_http"],
                  "--dicom-port", str(ports["arca_dicom"]), "--aet", "ARCA",
                  "--server-pid-file", pidfile,
                  "--storage-dir", os.path.join(work, "arca", "data"), "--reset-cmd", script]
        result = run_bench(args.dataset, "arca", target, dict(os.environ), args, work)
        log("C-MOVE from Arca")
        result["cmove"] = measure_move("ARCA", ports["arca_dicom"], args.dataset, ports["scu"])
    finally:
        if os.path.exists(pidfile):
            try:
                os.kill(int(open(pidfile).read()), signal.SIGTERM)
            except (OSError, ValueError):
                pass
    return result


def figures(r):
    p = r["phases"]
    return {
        "cstore1_inst_s": p.get("dimse1", {}).get("instances_per_s"),
        "cstore%d_inst_s" % r["config"]["parallel"]: p.get("dimse4", {}).get("instances_per_s"),
        "cfind_p50_ms": p.get("cfind", {}).get("all", {}).get("p50_ms"),
        "cfind_p95_ms": p.get("cfind", {}).get("all", {}).get("p95_ms"),
        "cecho_p50_ms": p.get("cfind", {}).get("echo_floor", {}).get("p50_ms"),
        "cmove_inst_s": r.get("cmove", {}).get("instances_per_s"),
        "cstore1_srv_cpu_ms_per_inst": p.get("dimse1", {}).get("server_cpu_ms_per_instance"),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arca", required=True)
    ap.add_argument("--dataset", default="/tmp/bench-data")
    ap.add_argument("--parallel", type=int, default=4)
    ap.add_argument("--cfind-queries", type=int, default=60)
    ap.add_argument("--out", help="append the JSON line to this file")
    args = ap.parse_args()
    if not os.path.exists(os.path.join(args.dataset, "manifest.json")):
        raise SystemExit("no dataset: /usr/bin/python3 %s/make-dataset.py %s" % (SHARED,
                                                                              args.dataset))
    work = tempfile.mkdtemp(prefix="arca-vs-orthanc-", dir="/tmp")
    ports = {k: free_port() for k in ("orthanc_http", "orthanc_dicom", "arca_http",
                                      "arca_dicom", "arca_tls", "scu")}
    try:
        load0 = os.getloadavg()
        orthanc = figures(bench_orthanc(args, work, ports))
        arca = figures(bench_arca(args, work, ports))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ratios = {k: (round(arca[k] / orthanc[k], 2) if arca[k] and orthanc[k] else None)
              for k in arca}
    print("\n%-28s %12s %12s %10s" % ("measure", "Arca", "Orthanc", "Arca/Orth"))
    for k in arca:
        print("%-28s %12s %12s %10s" % (k, arca[k], orthanc[k], ratios[k]))
    line = json.dumps({"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "arca": arca,
                       "orthanc": orthanc, "ratio_arca_over_orthanc": ratios,
                       "loadavg_start": load0, "loadavg_end": os.getloadavg(),
                       "nproc": os.cpu_count()})
    print(line)
    if args.out:
        with open(args.out, "a") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
