#!/usr/bin/python3
"""DICOMweb benchmark, Arca against Orthanc in one run on this machine (issue 4's performance
targets): ../shared/bench/bench-pacs.py's STOW-RS (--parallel clients), QIDO-RS latency and
WADO-RS (whole studies, single instances, study /metadata) phases against each server. Arca runs
as shipped (HTTPS, blobs and index encrypted, audit on, the /metadata cache warmed after ingest);
Orthanc 1.10 + its DICOMweb plugin run from ../shared/bench/orthanc-up.sh over plain HTTP.
Everything listens on 127.0.0.1, on free ports, under a temp folder removed at the end (the
shared run: vs_orthanc.py).

  bench/dicomweb_vs_orthanc.py --arca build/src/app/arca --dataset /tmp/bench-data [--out F]

Prints a table with the Arca/Orthanc ratios and one JSON line (also appended to --out). Targets:
STOW-RS >= 3x Orthanc's instances/s (4 clients), QIDO-RS p95 <= 1/5 of Orthanc's, WADO-RS
whole-study >= 3x Orthanc's MB/s, /metadata of a 200-instance study <= 15 ms p50.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vs_orthanc  # noqa: E402


def figures(r):
    p = r["phases"]
    wado = p.get("wado", {})
    return {
        "stow%d_inst_s" % r["config"]["parallel"]: p.get("stow4", {}).get("instances_per_s"),
        "stow_srv_cpu_ms_per_inst": p.get("stow4", {}).get("server_cpu_ms_per_instance"),
        "qido_p50_ms": p.get("qido", {}).get("all", {}).get("p50_ms"),
        "qido_p95_ms": p.get("qido", {}).get("all", {}).get("p95_ms"),
        "wado_study_MB_s": wado.get("study_retrieve", {}).get("MB_per_s"),
        "wado_instance_p50_ms": wado.get("instance_retrieve", {}).get("latency", {}).get("p50_ms"),
        "metadata_p50_ms": wado.get("study_metadata", {}).get("latency", {}).get("p50_ms"),
        "metadata_p95_ms": wado.get("study_metadata", {}).get("latency", {}).get("p95_ms"),
    }


COMPARISON = vs_orthanc.Comparison(
    phases="stow4,qido,wado",
    figures=figures,
    bench_args=lambda args: ["--wado-studies", str(args.wado_studies)],
    arca_ready=vs_orthanc.HTTP_READY,
    arguments=lambda ap: ap.add_argument("--wado-studies", type=int, default=20),
)

if __name__ == "__main__":
    vs_orthanc.main(COMPARISON, __doc__)
