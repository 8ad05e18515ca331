#!/usr/bin/python3
"""Ingest benchmark: `arca import` of a dataset (default: ../shared/bench/make-dataset.py's
4,000 CT instances, 2.1 GB), with blob encryption on and, in the benchmark-only configuration,
off. Reports instances/s, MB/s and CPU ms per instance (user + system time of the arca process,
all threads), and the cost of encryption. Next to it, the disk's own sequential write rate
(1 GiB written and fdatasync'ed in the same folder), so "bound by the disk" can be read off:
ingest MB/s as a share of what the disk takes. With --compare audit, both runs encrypt and the
second switches the audit trail off (benchmark-only `[audit] off_benchmark_only`) instead: the
cost of auditing.

  bench/ingest.py --arca build/src/app/arca --dataset /tmp/bench-data [--jobs 8] [--runs 1]
                  [--compare encryption|audit]

The data directory lives under --work (default: a temp dir next to the dataset, same disk)
and is removed after each run. Figures vary with the machine's load: compare within one run.
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time


def dataset_files(root):
    files, size = [], 0
    for d, _, names in os.walk(root):
        for n in names:
            if n.endswith(".dcm"):
                p = os.path.join(d, n)
                files.append(p)
                size += os.path.getsize(p)
    return files, size


def disk_write_mb_per_s(folder, total=1 << 30, chunk=4 << 20):
    """Sequential write of `total` bytes (random, so nothing compresses) and one fdatasync."""
    block = os.urandom(chunk)
    path = os.path.join(folder, "disk-check.tmp")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        start = time.monotonic()
        for _ in range(total // chunk):
            os.write(fd, block)
        os.fdatasync(fd)
        return total / 1e6 / (time.monotonic() - start)
    finally:
        os.close(fd)
        os.unlink(path)


def run_import(arca, dataset, work, baseline, compare, jobs):
    # Each run's archive is removed after it (pack files: a few large files, so removing them
    # does not bill the next run with ext4's scan of recently freed inodes), so every run starts
    # from the same page cache and disk state instead of after the earlier runs' gigabytes.
    root = tempfile.mkdtemp(prefix="arca-bench-", dir=work)
    os.sync()
    config = os.path.join(root, "arca.toml")
    with open(config, "w") as f:
        f.write("log_level = \"warn\"\n")
        if not baseline and compare == "encryption":
            f.write("[storage]\nunencrypted_benchmark_only = true\n")
        if not baseline and compare == "audit":
            f.write("[audit]\noff_benchmark_only = true\n")
    studies = sorted(os.path.join(dataset, d) for d in os.listdir(dataset)
                     if os.path.isdir(os.path.join(dataset, d)))
    cmd = [arca, "import", "--config", config, "--data-dir", os.path.join(root, "data"),
           "--key-file", os.path.join(root, "secrets", "root.key"), "--json",
           "--jobs", str(jobs), *studies]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        raise SystemExit(f"import failed ({p.returncode}): {p.stderr.decode()[-2000:]}")
    summary = json.loads(p.stdout)
    user = after.ru_utime - before.ru_utime
    system = after.ru_stime - before.ru_stime
    shutil.rmtree(root, ignore_errors=True)
    os.sync()
    return summary, wall, (user, system)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--arca", default=os.path.join(here, "..", "build", "src", "app", "arca"))
    ap.add_argument("--dataset", required=True, help="output of make-dataset.py")
    ap.add_argument("--work", default=None, help="where data directories go (same disk!)")
    ap.add_argument("--jobs", type=int, default=8)  # arca import's default
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--compare", choices=["encryption", "audit"], default="encryption")
    ap.add_argument("--warmup", type=int, choices=[0, 1], default=1)
    ap.add_argument("--disk-check", type=int, choices=[0, 1], default=1)
    args = ap.parse_args()
    names = {"encryption": ("encrypted", "plaintext"), "audit": ("audited", "unaudited")}
    on_name, off_name = names[args.compare]
    files, size = dataset_files(args.dataset)
    work = tempfile.mkdtemp(prefix="arca-ingest-bench-",
                            dir=args.work or os.path.dirname(os.path.abspath(args.dataset)))
    results = {}
    best = {}
    walls = {True: [], False: []}
    # A first run, not counted, settles the disk after whatever ran before (the first runs of a
    # series were seen to be the slowest). Then the two modes alternate in ABBA order (on, off,
    # off, on, ...) so drift in the machine's load hits both alike; keep the best run of each.
    if args.warmup:
        run_import(args.arca, args.dataset, work, False, args.compare, args.jobs)
    for round_ in range(args.runs):
        for encrypt in ((True, False) if round_ % 2 == 0 else (False, True)):
            summary, wall, cpu = run_import(args.arca, args.dataset, work, encrypt, args.compare,
                                            args.jobs)
            if summary["stored"] != len(files):
                raise SystemExit(f"stored {summary['stored']} of {len(files)}")
            # Every run, so drift and outliers are visible next to the best one.
            print(f"run {on_name if encrypt else off_name}: {wall:.2f} s wall, "
                  f"{(cpu[0] + cpu[1]) * 1000 / len(files):.3f} CPU ms/inst, "
                  f"cores busy {(cpu[0] + cpu[1]) / wall:.2f} of {os.cpu_count()}, "
                  f"load {os.getloadavg()[0]:.2f}", file=sys.stderr, flush=True)
            walls[encrypt].append(wall)
            if encrypt not in best or wall < best[encrypt][0]:
                best[encrypt] = (wall, cpu)
    for encrypt in (True, False):
        wall, (user, system) = best[encrypt]
        cpu = user + system
        n = len(files)
        results[on_name if encrypt else off_name] = {
            "instances": n, "mb": round(size / 1e6, 1), "wall_s": round(wall, 2),
            "instances_per_s": round(n / wall, 1), "mb_per_s": round(size / 1e6 / wall, 1),
            "cpu_ms_per_instance": round(cpu * 1000 / n, 3),
            "user_ms_per_instance": round(user * 1000 / n, 3),
            "sys_ms_per_instance": round(system * 1000 / n, 3),
            "cores_busy": round(cpu / wall, 2)}
    if args.disk_check:
        disk = [disk_write_mb_per_s(work) for _ in range(2)]
        results["disk_write_mb_per_s"] = round(max(disk), 1)
    shutil.rmtree(work, ignore_errors=True)
    enc, plain = results[on_name], results[off_name]
    results[f"{args.compare}_cost_wall_pct"] = round(100 * (enc["wall_s"] / plain["wall_s"] - 1), 1)
    results[f"{args.compare}_cost_cpu_pct"] = round(
        100 * (enc["cpu_ms_per_instance"] / plain["cpu_ms_per_instance"] - 1), 1)
    # The cost per round (on/off of the same round, next to each other in time), as the
    # geometric mean over rounds: robust to the load drifting between rounds.
    ratios = [on / off for on, off in zip(walls[True], walls[False])]
    paired = 1.0
    for r in ratios:
        paired *= r ** (1 / len(ratios))
    results[f"{args.compare}_cost_paired_wall_pct"] = round(100 * (paired - 1), 1)
    print(f"{'mode':<10} {'inst/s':>8} {'MB/s':>8} {'CPU ms/inst':>12} {'(user':>7} "
          f"{'sys)':>6} {'wall s':>8} {'cores busy':>11}")
    for mode in (on_name, off_name):
        r = results[mode]
        print(f"{mode:<10} {r['instances_per_s']:>8} {r['mb_per_s']:>8} "
              f"{r['cpu_ms_per_instance']:>12} {r['user_ms_per_instance']:>7} "
              f"{r['sys_ms_per_instance']:>6} {r['wall_s']:>8} {r['cores_busy']:>11}")
    print(f"{args.compare} cost: {results[f'{args.compare}_cost_wall_pct']}% wall, "
          f"{results[f'{args.compare}_cost_cpu_pct']}% CPU (best runs); "
          f"{results[f'{args.compare}_cost_paired_wall_pct']}% wall paired by round")
    if args.disk_check:
        share = round(100 * enc["mb_per_s"] / results["disk_write_mb_per_s"], 1)
        results["ingest_share_of_disk_pct"] = share
        print(f"disk: sequential write {results['disk_write_mb_per_s']} MB/s (1 GiB + fdatasync, "
              f"best of 2); {on_name} ingest {enc['mb_per_s']} MB/s = {share}% of it")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
