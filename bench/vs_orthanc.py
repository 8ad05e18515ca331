"""Arca against Orthanc in one run on this machine: what dicomweb_vs_orthanc.py and
dimse_vs_orthanc.py share. A script describes its comparison (a Comparison: the bench-pacs.py
phases and arguments, how Arca is prepared and known to be ready, anything measured after the
phases, the figures compared) and calls main(); this module starts Orthanc from
../shared/bench/orthanc-up.sh and Arca from a reset script, runs ../shared/bench/bench-pacs.py
against each, and prints the figures side by side with their Arca/Orthanc ratios and one JSON
line (also appended to --out). Everything listens on 127.0.0.1, on free ports, under a temp
folder removed at the end."""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Callable, Optional

from bench_util import free_port, log, settle

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "bench"))
SCU_AET = "BENCHSCU"

# Shell lines for Comparison.arca_ready and arca_setup; %(name)s fields are filled from the
# reset script's values: root, arca, aet (the SCU's), flags (data dir and key file), scu_port,
# serve, http, dicom.
HTTP_READY = "curl -skf -o /dev/null https://127.0.0.1:%(http)d/healthz"
DIMSE_READY = "echoscu -to 2 -aet %(aet)s -aec ARCA 127.0.0.1 %(dicom)d >/dev/null 2>&1"
SCU_PEER = ("'%(arca)s' peer add %(aet)s %(flags)s --host 127.0.0.1 --port %(scu_port)d \\\n"
            "  --allow store,find,move,receive >/dev/null")


@dataclass
class Comparison:
    phases: str                                  # bench-pacs.py --phases
    figures: Callable[[dict], dict]              # one server's result -> the figures compared
    bench_args: Callable[[argparse.Namespace], list] = lambda args: []  # more bench-pacs.py args
    arca_ready: str = HTTP_READY                 # succeeds once Arca serves
    arca_setup: str = ""                         # run on the wiped archive before Arca starts
    # Measured after the phases, with the server still up: (name, AE title, DICOM port, args,
    # ports) -> entries added to that server's result.
    after: Optional[Callable[..., dict]] = None
    arguments: Callable[[argparse.ArgumentParser], None] = lambda ap: None  # the script's own


def arca_reset_script(work, arca, ports, comparison):
    """A shell script that stops Arca, wipes its archive and starts it again, empty."""
    root = os.path.join(work, "arca")
    flags = "--data-dir '%s/data' --key-file '%s/secrets/root.key'" % (root, root)
    serve = ("'%s' serve %s --bind 127.0.0.1 --http-port %d --dicom-port %d "
             "--dicom-tls-port %d --dev-local-access" % (arca, flags, ports["arca_http"],
                                                         ports["arca_dicom"], ports["arca_tls"]))
    values = {"root": root, "arca": arca, "aet": SCU_AET, "flags": flags,
              "scu_port": ports["scu"], "serve": serve, "http": ports["arca_http"],
              "dicom": ports["arca_dicom"]}
    setup = comparison.arca_setup % values + "\n" if comparison.arca_setup else ""
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
""" % values + setup + """setsid %(serve)s </dev/null >>'%(root)s/serve.log' 2>&1 &
echo $! > "$pidfile"
for _ in $(seq 600); do
  """ % values + comparison.arca_ready % values + """ && exit 0
  sleep 0.1
done
echo "arca not ready" >&2; exit 1
""")
    os.chmod(script, 0o755)
    return script


def run_bench(comparison, label, target, env, args, work):
    out = os.path.join(work, "results.jsonl")
    cmd = [sys.executable, os.path.join(SHARED, "bench-pacs.py"), args.dataset,
           "--phases", comparison.phases, "--parallel", str(args.parallel),
           *comparison.bench_args(args), "--scu-aet", SCU_AET, "--label", label, "--out", out,
           *target]
    log("bench-pacs.py against", label)
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with open(os.path.join(work, label + ".txt"), "w") as f:
        f.write(p.stdout + p.stderr)
    if p.returncode != 0:
        raise SystemExit("bench-pacs.py failed for %s:\n%s" % (label, p.stderr[-3000:]))
    print(p.stdout.rsplit("\n", 2)[0])
    return json.loads(p.stdout.strip().splitlines()[-1])


def bench_orthanc(comparison, args, work, ports):
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
        result = run_bench(comparison, "orthanc", target, env, args, work)
        if comparison.after:
            result.update(comparison.after("Orthanc", "ORTHANC", ports["orthanc_dicom"], args,
                                           ports))
    finally:
        subprocess.run([down, "--kill", "--wipe"], env=env, stdout=subprocess.DEVNULL)
    return result


def bench_arca(comparison, args, work, ports):
    script = arca_reset_script(work, os.path.abspath(args.arca), ports, comparison)
    pidfile = os.path.join(work, "arca", "arca.pid")
    subprocess.run([script], check=True)
    try:
        target = ["--dicomweb-url", "https://127.0.0.1:%d/dicom-web" % ports["arca_http"],
                  "--dicom-port", str(ports["arca_dicom"]), "--aet", "ARCA",
                  "--server-pid-file", pidfile,
                  "--storage-dir", os.path.join(work, "arca", "data"), "--reset-cmd", script]
        result = run_bench(comparison, "arca", target, dict(os.environ), args, work)
        if comparison.after:
            result.update(comparison.after("Arca", "ARCA", ports["arca_dicom"], args, ports))
    finally:
        if os.path.exists(pidfile):
            try:
                os.kill(int(open(pidfile).read()), signal.SIGTERM)
            except (OSError, ValueError):
                pass
    return result


def main(comparison, description):
    ap = argparse.ArgumentParser(description=description,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arca", required=True)
    ap.add_argument("--dataset", default="/tmp/bench-data")
    ap.add_argument("--parallel", type=int, default=4)
    comparison.arguments(ap)
    ap.add_argument("--out", help="append the JSON line to this file")
    args = ap.parse_args()
    if not os.path.exists(os.path.join(args.dataset, "manifest.json")):
        raise SystemExit("no dataset: /usr/bin/python3 %s/make-dataset.py %s" % (SHARED,
                                                                              args.dataset))
    work = tempfile.mkdtemp(prefix="arca-vs-orthanc-", dir="/tmp")
    ports = {k: free_port() for k in ("orthanc_http", "orthanc_dicom", "arca_http",
                                      "arca_dicom", "arca_tls", "scu")}
    log("load average at start: %.2f %.2f %.2f" % os.getloadavg())
    try:
        load0 = os.getloadavg()
        settle(args.dataset)
        orthanc = comparison.figures(bench_orthanc(comparison, args, work, ports))
        settle(args.dataset)
        arca = comparison.figures(bench_arca(comparison, args, work, ports))
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
