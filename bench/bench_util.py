"""Small helpers shared by the benchmark scripts in bench/ (run from that folder's scripts,
which import this module by path): timestamped progress lines, free loopback ports, waiting
for a server to listen."""
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
