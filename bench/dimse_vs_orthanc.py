#!/usr/bin/python3
"""DIMSE benchmark, Arca against Orthanc in one run on this machine (issue 3's performance
targets): ../shared/bench/bench-pacs.py's C-STORE (1 and --parallel associations) and C-FIND
phases against each server, then C-MOVE throughput (every study of the dataset moved to a
storescp that discards what it receives). Arca runs as shipped (blobs encrypted, index
encrypted); Orthanc runs from ../shared/bench/orthanc-up.sh with TCP_NODELAY=1, so both have
Nagle off. Everything listens on 127.0.0.1, on free ports, under a temp folder removed at the end
(the shared run: vs_orthanc.py).

  bench/dimse_vs_orthanc.py --arca build/src/app/arca --dataset /tmp/bench-data [--out F.jsonl]

The dataset comes from `../shared/bench/make-dataset.py /tmp/bench-data`. Prints a table with
the Arca/Orthanc ratios and one JSON line (also appended to --out). Targets: C-STORE >= 3x
Orthanc's instances/s, C-FIND p50 <= 20 ms (association set-up included).
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vs_orthanc  # noqa: E402
from bench_util import log, wait_listening  # noqa: E402
from vs_orthanc import SCU_AET  # noqa: E402


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


def cmove(name, called, port, args, ports):
    log("C-MOVE from", name)
    return {"cmove": measure_move(called, port, args.dataset, ports["scu"])}


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


COMPARISON = vs_orthanc.Comparison(
    phases="dimse1,dimse4,cfind",
    figures=figures,
    bench_args=lambda args: ["--cfind-queries", str(args.cfind_queries)],
    arca_ready=vs_orthanc.DIMSE_READY,
    arca_setup=vs_orthanc.SCU_PEER,
    after=cmove,
    arguments=lambda ap: ap.add_argument("--cfind-queries", type=int, default=60),
)

if __name__ == "__main__":
    vs_orthanc.main(COMPARISON, __doc__)
