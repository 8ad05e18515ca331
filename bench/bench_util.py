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


def settle(max_wait=60, dirty_kb=65536, pause=5):
    """Waits until the previous server's work is off the machine: its dirty pages written back
    (os.sync) and its freed storage processed, then `pause` more seconds. Run before each
    server's benchmark so neither starts while the other's writes or deletions still load the
    disk and the CPU (a C-STORE run right after Orthanc's 2 GB was wiped measured 533 inst/s
    against 630-730 on a settled machine)."""
    os.sync()
    deadline = time.time() + max_wait
    while time.time() < deadline:
        with open("/proc/meminfo") as f:
            dirty = next((int(line.split()[1]) for line in f if line.startswith("Dirty:")), 0)
        if dirty < dirty_kb:
            break
        time.sleep(0.5)
    time.sleep(pause)
