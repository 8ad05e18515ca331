"""Small helpers shared by the benchmark scripts in bench/ (run from that folder's scripts,
which import this module by path): timestamped progress lines, free loopback ports, waiting
for a server to listen."""
import os
import socket
import sys
import time


def log(*a):
    print("[%s]" % time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc=None, timeout=60):
    """Returns once something accepts on 127.0.0.1:port; exits if `proc` dies or time runs out."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit("process listening on %d exited" % port)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("nothing listens on %d after %ds" % (port, timeout))


def settle(dataset=None, max_wait=60, dirty_kb=65536, pause=5):
    """Gives the next server the machine as it would find it alone: the previous server's dirty
    pages written back (os.sync), the page cache dropped where we may (root) and then filled
    with the dataset again, `pause` more seconds. Run before each server's benchmark. Measured:
    Arca's one-association C-STORE right after Orthanc's run, dataset cached, 524 inst/s at 1.11
    ms of server CPU per instance; with the cache dropped and the dataset read back, 660 inst/s
    at 0.78 ms, as when it runs alone (616-693 at 0.79-0.86)."""
    os.sync()
    deadline = time.time() + max_wait
    while time.time() < deadline:
        with open("/proc/meminfo") as f:
            dirty = next((int(line.split()[1]) for line in f if line.startswith("Dirty:")), 0)
        if dirty < dirty_kb:
            break
        time.sleep(0.5)
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
    except OSError:
        pass  # not root: the cache stays as the previous run left it
    if dataset:
        for base, _, names in os.walk(dataset):
            for name in names:
                with open(os.path.join(base, name), "rb") as f:
                    while f.read(1 << 20):
                        pass
    time.sleep(pause)
