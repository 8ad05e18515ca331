#!/usr/bin/python3
"""One ~2.1 GB study through `arca serve` in one request each way (issue 4: "a 2 GB STOW body or
a 2 GB study retrieve never sits whole in memory"; target: server RSS under 300 MB).

Builds (or reuses) a single study of ../shared/bench/make-dataset.py (4 series x 1,000 CT
instances, ~0.5 MB each), starts `arca serve` on loopback as shipped (HTTPS, encrypted blobs and
index, audit on) with an API token, then:
  stow      POST /dicom-web/studies: the whole study as ONE multipart/related body, read from
            disk part by part as it is sent (the client never holds the body either);
  retrieve  GET /dicom-web/studies/{uid}: one WADO-RS request, every part hashed as it arrives
            (nothing kept) and its SHA-256 compared with the source files'.
For each it prints wall time, MB/s, server CPU seconds and the server's peak RSS (VmHWM from
/proc/PID/status, reset with clear_refs between the two), and one JSON line (also appended to
--out). The work folder under /tmp is removed at the end, and so is the dataset if this script
made it, unless --keep.

  bench/big_study.py --arca build/src/app/arca [--dataset /tmp/arca-big-study-data] [--keep]
"""
import argparse
import hashlib
import http.client
import json
import os
import resource
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_util import free_port, log, wait_listening  # noqa: E402

MIB = 1024 * 1024
CHUNK = MIB
BOUNDARY = b"arca-big-study-5f0c1e"
MAKE_DATASET = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared",
                            "bench", "make-dataset.py")


class Server:
    def __init__(self, arca, work):
        self.arca, self.work = arca, work
        self.flags = ["--data-dir", os.path.join(work, "data"),
                      "--key-file", os.path.join(work, "secrets", "root.key")]
        self.config = os.path.join(work, "arca.toml")
        with open(self.config, "w") as f:
            f.write('log_level = "warn"\n')
        self.proc = None

    def run(self, *args):
        p = subprocess.run([self.arca, args[0], "--config", self.config, *self.flags, *args[1:]],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode != 0:
            raise SystemExit(f"arca {args[0]} failed: {p.stderr.decode()[-2000:]}")
        return p.stdout.decode()

    def start(self):
        self.port = free_port()
        log_file = open(os.path.join(self.work, "serve.log"), "ab")
        self.proc = subprocess.Popen(
            [self.arca, "serve", "--config", self.config, *self.flags, "--bind", "127.0.0.1",
             "--http-port", str(self.port), "--dicom-port", str(free_port()),
             "--dicom-tls-port", str(free_port())], stdout=log_file, stderr=log_file)
        wait_listening(self.port, self.proc)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=60)

    def status_kib(self, field):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        raise SystemExit(f"no {field} for the server")

    def reset_peak(self):
        with open(f"/proc/{self.proc.pid}/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM to the current RSS

    def cpu_seconds(self):
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def wait_quiet(self, limit=300):
        """Waits until the server has used < 5 % of a core in each of 5 consecutive seconds:
        the metadata warmer, which starts once a series has been quiet for 2 s, has finished,
        so the retrieve's figures are its own. Returns the server CPU seconds spent waiting."""
        start, quiet = self.cpu_seconds(), 0
        deadline = time.time() + limit
        while time.time() < deadline and quiet < 5:
            before = self.cpu_seconds()
            time.sleep(1)
            quiet = quiet + 1 if self.cpu_seconds() - before < 0.05 else 0
        if quiet < 5:
            log("server still busy after", limit, "s")
        return round(self.cpu_seconds() - start, 2)


def files_of(dataset):
    out = []
    for base, _, names in os.walk(dataset):
        out.extend(os.path.join(base, n) for n in names if n.endswith(".dcm"))
    return sorted(out)


def part_header():
    return b"--" + BOUNDARY + b"\r\nContent-Type: application/dicom\r\n\r\n"


def stow_body(paths, digests):
    """The multipart body, read from disk a chunk at a time; records each file's SHA-256."""
    for path in paths:
        yield part_header()
        h = hashlib.sha256()
        with open(path, "rb") as f:
            while True:
                chunk = f.read(CHUNK)
                if not chunk:
                    break
                h.update(chunk)
                yield chunk
        digests.append(h.hexdigest())
        yield b"\r\n"
    yield b"--" + BOUNDARY + b"--\r\n"


def connection(port):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # the archive's self-signed certificate
    return http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=900)


def stow(server, token, paths):
    length = sum(len(part_header()) + os.path.getsize(p) + 2 for p in paths)
    length += len(BOUNDARY) + 6
    digests = []
    conn = connection(server.port)
    conn.request("POST", "/dicom-web/studies", body=stow_body(paths, digests),
                 headers={"Authorization": f"Bearer {token}", "Content-Length": str(length),
                          "Accept": "application/dicom+json",
                          "Content-Type": 'multipart/related; type="application/dicom"; '
                                          "boundary=" + BOUNDARY.decode()})
    r = conn.getresponse()
    text = r.read()
    conn.close()
    if r.status != 200:
        raise SystemExit(f"STOW-RS answered {r.status}: {text[:500]!r}")
    answer = json.loads(text)
    stored = len(answer.get("00081199", {}).get("Value", []))
    failed = len(answer.get("00081198", {}).get("Value", []))
    if stored != len(paths) or failed:
        raise SystemExit(f"STOW-RS stored {stored} of {len(paths)}, {failed} failed")
    return length, digests


class PartHasher:
    """Splits a multipart/related body fed in arbitrary chunks and hashes each part's content,
    keeping no more than one chunk plus a delimiter's length."""

    def __init__(self, boundary):
        self.delimiter = b"\r\n--" + boundary
        self.buffer = b"\r\n"  # the first delimiter has no CRLF before it
        self.state = "preamble"
        self.hash = None
        self.digests = []

    def feed(self, data):
        self.buffer += data
        while True:
            if self.state in ("preamble", "body"):
                i = self.buffer.find(self.delimiter)
                if i < 0:
                    keep = len(self.delimiter) - 1
                    if self.state == "body" and len(self.buffer) > keep:
                        self.hash.update(self.buffer[:-keep])
                        self.buffer = self.buffer[-keep:]
                    return
                if self.state == "body":
                    self.hash.update(self.buffer[:i])
                    self.digests.append(self.hash.hexdigest())
                self.buffer = self.buffer[i + len(self.delimiter):]
                self.state = "after"
            elif self.state == "after":
                if len(self.buffer) < 2:
                    return
                if self.buffer.startswith(b"--"):
                    self.state = "done"
                    return
                self.state = "headers"
            elif self.state == "headers":
                i = self.buffer.find(b"\r\n\r\n")
                if i < 0:
                    return
                self.buffer = self.buffer[i + 4:]
                self.hash = hashlib.sha256()
                self.state = "body"
            else:
                return


def retrieve(server, token, study):
    conn = connection(server.port)
    conn.request("GET", f"/dicom-web/studies/{study}",
                 headers={"Authorization": f"Bearer {token}",
                          "Accept": 'multipart/related; type="application/dicom"; '
                                    "transfer-syntax=*"})
    r = conn.getresponse()
    if r.status != 200:
        raise SystemExit(f"WADO-RS answered {r.status}: {r.read()[:500]!r}")
    content_type = r.getheader("Content-Type", "")
    boundary = content_type.split("boundary=", 1)[1].split(";")[0].strip('"').encode()
    parts = PartHasher(boundary)
    received = 0
    while True:
        chunk = r.read(CHUNK)
        if not chunk:
            break
        received += len(chunk)
        parts.feed(chunk)
    conn.close()
    if parts.state != "done":
        raise SystemExit("the WADO-RS body ended before its closing delimiter")
    return received, parts.digests


def study_uid(dataset):
    with open(os.path.join(dataset, "manifest.json")) as f:
        manifest = json.load(f)
    if len(manifest["studies"]) != 1:
        raise SystemExit(f"{dataset} holds {len(manifest['studies'])} studies, not one")
    return manifest["studies"][0]["StudyInstanceUID"]


def phase(server, name, work):
    """Runs work() with the server's peak RSS reset first; returns work's result and figures."""
    server.reset_peak()
    cpu0, t0 = server.cpu_seconds(), time.monotonic()
    result = work()
    seconds = time.monotonic() - t0
    figures = {"seconds": round(seconds, 2), "server_cpu_s": round(server.cpu_seconds() - cpu0, 2),
               "server_peak_rss_mib": round(server.status_kib("VmHWM") / 1024, 1),
               "server_rss_after_mib": round(server.status_kib("VmRSS") / 1024, 1)}
    log(name, "done in", figures["seconds"], "s")
    return result, figures


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arca", required=True)
    ap.add_argument("--dataset", default="/tmp/arca-big-study-data",
                    help="a one-study make-dataset.py output; made here if absent")
    ap.add_argument("--series", type=int, default=4)
    ap.add_argument("--instances", type=int, default=1000, help="per series")
    ap.add_argument("--keep", action="store_true", help="keep a dataset this run generated")
    ap.add_argument("--out", help="append the JSON line to this file")
    args = ap.parse_args()
    made_dataset = not os.path.exists(os.path.join(args.dataset, "manifest.json"))
    work = tempfile.mkdtemp(prefix="arca-big-study-", dir="/tmp")
    server = Server(os.path.abspath(args.arca), work)
    load0 = os.getloadavg()
    try:
        if made_dataset:
            log("generating", args.series * args.instances, "instances in", args.dataset)
            subprocess.run([sys.executable, MAKE_DATASET, args.dataset, "--studies", "1",
                            "--series", str(args.series), "--instances", str(args.instances),
                            "--resume"], check=True, stdout=subprocess.DEVNULL)
        study = study_uid(args.dataset)
        paths = files_of(args.dataset)
        server.run("user", "add", "bench", "--role", "radiologist", "--service-account")
        token = server.run("token", "create", "--user", "bench", "--name", "bench",
                           "--permissions", "study.write,image.read").strip()
        server.start()
        baseline = server.status_kib("VmRSS") / 1024
        log("STOW-RS of", len(paths), "instances in one request")
        (sent, source), stow_fig = phase(server, "stow", lambda: stow(server, token, paths))
        warm_cpu = server.wait_quiet()
        log("WADO-RS retrieve of the study in one request")
        (received, returned), get_fig = phase(server, "retrieve",
                                              lambda: retrieve(server, token, study))
        if sorted(returned) != sorted(source):
            missing = len(set(source) - set(returned))
            raise SystemExit(f"retrieve returned {len(returned)} parts for {len(source)} "
                             f"instances; {missing} source digests have no identical part")
        stow_fig["body_bytes"], get_fig["body_bytes"] = sent, received
        for fig in (stow_fig, get_fig):
            fig["mb_per_s"] = round(fig["body_bytes"] / 1e6 / fig["seconds"], 1)
            fig["instances_per_s"] = round(len(paths) / fig["seconds"], 1)
        result = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "instances": len(paths),
                  "study_bytes": sum(os.path.getsize(p) for p in paths),
                  "server_rss_at_start_mib": round(baseline, 1), "stow": stow_fig,
                  "server_cpu_s_after_stow": warm_cpu,
                  "retrieve": get_fig, "identical_parts": len(returned),
                  "client_peak_rss_mib": round(
                      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                  "loadavg_start": load0, "loadavg_end": os.getloadavg(),
                  "nproc": os.cpu_count()}
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
        if made_dataset and not args.keep:
            shutil.rmtree(args.dataset, ignore_errors=True)
    print(f"study: {result['instances']} instances, {result['study_bytes'] / 1e9:.2f} GB; "
          f"server RSS at start {result['server_rss_at_start_mib']} MiB; server CPU between "
          f"the two (metadata warm-up) {result['server_cpu_s_after_stow']} s")
    print(f"{'':9} {'seconds':>8} {'MB/s':>7} {'inst/s':>7} {'CPU s':>7} {'peak RSS MiB':>13}")
    for name in ("stow", "retrieve"):
        f = result[name]
        print(f"{name:9} {f['seconds']:8} {f['mb_per_s']:7} {f['instances_per_s']:7} "
              f"{f['server_cpu_s']:7} {f['server_peak_rss_mib']:13}")
    print(f"every instance came back bit for bit ({result['identical_parts']} parts); "
          f"client peak RSS {result['client_peak_rss_mib']} MiB")
    line = json.dumps(result)
    print(line)
    if args.out:
        with open(args.out, "a") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
