"""Web load: requests/s and latency of the search page and the API on a large index.

The portal runs under gunicorn (2 workers) on loopback; a bounded load generator (threads with
keep-alive connections, a fixed number of requests) sends varied searches. Nothing leaves
127.0.0.1.
"""

from __future__ import annotations

import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.index import FILTERS, QUERIES, percentile


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PORTAIL_DATA": str(data)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "webui:create_app()",
        ],
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/")
            conn.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("le serveur n'a pas démarré")


def paths(prefix: str, n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        words = rng.sample(QUERIES, rng.choice([1, 1, 2, 3]))
        args = {"q": " ".join(words), **rng.choice(FILTERS)}
        if rng.random() < 0.2:
            args["page"] = str(rng.randint(2, 4))
        out.append(f"{prefix}?{urlencode(args)}")
    return out


def load(port: int, targets: list[str], clients: int = 8) -> dict[str, float]:
    """Send every target once over `clients` keep-alive connections; time each request."""
    times: list[float] = []
    errors = 0
    lock = threading.Lock()
    queue = list(targets)

    def worker() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if not queue:
                    return
                path = queue.pop()
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                ok = response.status in (200, 400)
            except OSError:
                ok = False
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                times.append(elapsed)
                errors += not ok

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    return {
        "rps": len(times) / wall,
        "p50": statistics.median(times),
        "p99": percentile(times, 0.99),
        "errors": errors,
        "requests": len(times),
    }


def main(data: Path, requests: int = 600) -> None:
    port = free_port()
    server = start_server(data, port)
    try:
        for label, prefix, seed in (
            ("page de recherche", "/recherche", 1),
            ("API /api/search", "/api/search", 2),
        ):
            load(port, paths(prefix, 40, seed + 100))  # warm both workers
            figures = load(port, paths(prefix, requests, seed))
            print(
                f"  {label} : {figures['requests']} requêtes, {figures['rps']:.1f} req/s, "
                f"p50 {figures['p50']:.0f} ms, p99 {figures['p99']:.0f} ms, "
                f"{figures['errors']} erreurs (objectif p99 < 300 ms, zéro erreur)"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 600)
