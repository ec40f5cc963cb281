"""Web load: requests/s and latency of the search page and the API under gunicorn, beside a
bare Flask answer under the same gunicorn; then the same load while a crawl and an index
update run, with the errors counted and the new pages looked for in every worker.

A bounded load generator (threads, a fixed number of requests, or a steady load until told
to stop) sends varied searches. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import http.client
import json
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

from bench.crawl import crawl_env, portail_crawl, source_block
from bench.index import FILTERS, QUERIES, build_store, percentile
from bench.site import GeneratedSite
from bench.table import Figure

CRAWL_MARKER = "zorgmesure"  # a word on every crawled page of the load phase
BATCH_MARKER = "quasarmesure"  # a word on every page added to the store for the index update
LOAD_SHARE = 0.5  # the steady load's rate, as a share of the portal's throughput at rest
BATCH_FIRST = 10_000_000  # numbers of the added pages, after those of the corpus


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    data: Path, workers: int, app: str = "portal"
) -> tuple[subprocess.Popen[bytes], int]:
    """gunicorn serving `bench.webapp:<app>()` on loopback; (process, port) once it answers."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            f"bench.webapp:{app}()",
        ],
        env=crawl_env(data),
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            get(port, "/")
            return proc, port
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("le serveur gunicorn n'a pas démarré")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    proc.wait(timeout=30)


def get(port: int, path: str, timeout: float = 60) -> tuple[int, bytes, str]:
    """One request on a new connection: status, body and the worker that answered."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read(), response.getheader("X-Bench-Worker", "")
    finally:
        conn.close()


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


@dataclass
class Load:
    """Requests sent over `clients` threads: each one timed, errors counted, workers noted."""

    port: int
    targets: list[str]
    clients: int = 8
    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    workers: set[str] = field(default_factory=set)
    wall: float = 0.0

    def run(self) -> Load:
        """Send every target once."""
        queue = list(self.targets)
        lock = threading.Lock()

        def next_target() -> str | None:
            with lock:
                return queue.pop() if queue else None

        self._drive(next_target)
        return self

    def steady(self, stop: threading.Event, rate: float) -> threading.Thread:
        """Send `rate` requests per second, cycling through the targets, until `stop` is set
        (join the returned thread). A paced load leaves the crawl and the indexer their
        share of the machine, as a real audience would."""
        lock = threading.Lock()
        sent = [0]
        started = time.monotonic()

        def next_target() -> str | None:
            with lock:
                sent[0] += 1
                n = sent[0]
            delay = started + n / rate - time.monotonic()
            if delay > 0 and stop.wait(delay):
                return None
            return None if stop.is_set() else self.targets[n % len(self.targets)]

        thread = threading.Thread(target=self._drive, args=(next_target,))
        thread.start()
        return thread

    def _drive(self, next_target: object) -> None:
        started = time.monotonic()
        threads = [
            threading.Thread(target=self._client, args=(next_target,)) for _ in range(self.clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.wall = time.monotonic() - started

    def _client(self, next_target: object) -> None:
        while (path := next_target()) is not None:  # type: ignore[operator]
            started = time.perf_counter()
            try:
                status, _, worker = get(self.port, path)
                # A page past the last is a documented 404 (webui/params.py), not an error.
                expected = status in (200, 400) or (status == 404 and "page=" in path)
                error = "" if expected else f"HTTP {status} {path}"
            except OSError as exc:
                error, worker = f"{type(exc).__name__} {path}", ""
            elapsed = (time.perf_counter() - started) * 1000
            self.times.append(elapsed)
            if worker:
                self.workers.add(worker)
            if error:
                self.errors.append(error)

    @property
    def rps(self) -> float:
        return len(self.times) / self.wall if self.wall else 0.0

    @property
    def p50(self) -> float:
        return statistics.median(self.times)

    @property
    def p99(self) -> float:
        return percentile(self.times, 0.99)

    def line(self, label: str) -> str:
        return (
            f"  {label} : {len(self.times)} requêtes, {self.rps:.1f} req/s, p50 {self.p50:.0f} "
            f"ms, p99 {self.p99:.0f} ms, {len(self.errors)} erreurs"
        )


def measure(port: int, app: str, workers: int, requests: int) -> dict[str, Load]:
    """The search page and the API (or the bare answer at their paths) on a running server."""
    loads = {}
    for label, prefix, seed in (("page", "/recherche", 1), ("api", "/api/search", 2)):
        Load(port, paths(prefix, max(20, requests // 10), seed + 100)).run()  # warm up
        loads[f"{app}-{label}"] = load = Load(port, paths(prefix, requests, seed)).run()
        print(load.line(f"{app} {prefix} ({workers} processus)"), flush=True)
    return loads


def at_rest(data: Path, workers: int, requests: int) -> dict[str, Load]:
    """The bare Flask answer and the portal, each under gunicorn with `workers` workers."""
    loads: dict[str, Load] = {}
    for app in ("bare", "portal"):
        proc, port = start_server(data, workers, app)
        try:
            loads |= measure(port, app, workers, requests)
        finally:
            stop_server(proc)
    return loads


def web_figures(loads: dict[str, Load], workers: int, suffix: str = "") -> list[Figure]:
    bare = f"Flask nu, réponse fixe, gunicorn {workers} processus"
    out = []
    for label, key in (("page de recherche", "page"), ("API /api/search", "api")):
        ours, base = loads[f"portal-{key}"], loads[f"bare-{key}"]
        name = f"Web {label}, {workers} processus"
        out += [
            Figure(f"web_{key}_rps{suffix}", name, "req/s", ours.rps, base.rps, bare, "higher"),
            Figure(
                f"web_{key}_p50{suffix}", f"{name}, p50", "ms", ours.p50, base.p50, bare, "lower"
            ),
            Figure(
                f"web_{key}_p99{suffix}", f"{name}, p99", "ms", ours.p99, base.p99, bare, "lower"
            ),
        ]
    return out


@dataclass
class Visibility:
    visible: bool
    seconds: float
    workers: int
    totals: dict[str, int]


def find_new_pages(port: int, workers: set[str], timeout: float = 60) -> Visibility:
    """Ask, in parallel, for each marker until every worker seen has found both."""
    started = time.monotonic()
    found: dict[tuple[str, str], int] = {}
    totals: dict[str, int] = {}

    def ask(marker: str) -> None:
        try:
            status, body, worker = get(port, f"/api/search?q={quote(marker)}")
        except OSError:
            return
        if status == 200 and worker:
            total = int(json.loads(body)["total"])
            found[(worker, marker)] = total
            totals[marker] = total

    markers = (CRAWL_MARKER, BATCH_MARKER)
    while time.monotonic() - started < timeout:
        threads = [
            threading.Thread(target=ask, args=(m,)) for m in markers for _ in range(len(workers))
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if all(found.get((w, m), 0) > 0 for w in workers for m in markers):
            return Visibility(True, time.monotonic() - started, len(workers), totals)
        time.sleep(0.2)
    return Visibility(False, time.monotonic() - started, len(workers), totals)


def paced(port: int, rate: float, seconds: float) -> Load:
    """The paced search load alone for `seconds`: the baseline of the load under work."""
    stop = threading.Event()
    load = Load(port, paths("/recherche", 400, 6))
    driver = load.steady(stop, rate)
    stop.wait(seconds)
    stop.set()
    driver.join()
    return load


def under_load(
    data: Path,
    port: int,
    workers: int,
    crawl_pages: int,
    batch_pages: int,
    rest: Load,
    calm_seconds: float = 30,
) -> tuple[list[Figure], dict[str, object]]:
    """The portal (running on `port`) under a steady search load (half its throughput at
    rest) while `portail crawl` (a generated site) and `portail index` (pages just added to
    the store) run side by side, then `portail index` again for the crawled pages; errors
    counted; the new pages looked for in every worker. The latencies' baseline is the same
    paced load alone, for `calm_seconds` before the work starts."""
    site = GeneratedSite(crawl_pages, marker=CRAWL_MARKER)
    origin = site.start()
    stop = threading.Event()
    load = Load(port, paths("/recherche", 400, 5))
    rate = max(1.0, rest.rps * LOAD_SHARE)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            sources = Path(tmp) / "sources.toml"
            sources.write_text(source_block("charge", origin, crawl_pages), "utf-8")
            Load(port, paths("/recherche", 20, 105)).run()  # warm up
            calm = paced(port, rate, calm_seconds)
            build_store(data, batch_pages, first=BATCH_FIRST, marker=BATCH_MARKER)
            driver = load.steady(stop, rate)
            env = crawl_env(data)
            started = time.monotonic()
            crawl = subprocess.Popen(
                portail_crawl(sources, Path(tmp) / "record.json"),
                env=env,
                stdout=subprocess.DEVNULL,
            )
            index = subprocess.Popen(
                [sys.executable, "-m", "portail_cli", "index"], env=env, stdout=subprocess.DEVNULL
            )
            codes = [crawl.wait(), index.wait()]
            codes.append(
                subprocess.run(
                    [sys.executable, "-m", "portail_cli", "index"],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    check=False,
                ).returncode
            )
            background = time.monotonic() - started
            seen = find_new_pages(port, load.workers or {""})
            stop.set()
            driver.join()
    finally:
        stop.set()
        site.stop()
    print(load.line(f"sous charge pendant collecte et indexation ({background:.0f} s)"))
    print(
        f"  nouvelles pages visibles dans les {seen.workers} processus : "
        f"{'oui' if seen.visible else 'NON'} ({seen.seconds:.1f} s après l'indexation, "
        f"{seen.totals})",
        flush=True,
    )
    base = f"même charge sans collecte ni indexation, {workers} processus"
    figures = [
        Figure(
            "load_rps",
            "Web sous collecte + indexation, débit servi",
            "req/s",
            load.rps,
            rate,
            "débit demandé (moitié du débit au repos)",
            "higher",
        ),
        Figure(
            "load_p50",
            "Web sous collecte + indexation, p50",
            "ms",
            load.p50,
            calm.p50,
            base,
            "lower",
        ),
        Figure(
            "load_p99",
            "Web sous collecte + indexation, p99",
            "ms",
            load.p99,
            calm.p99,
            base,
            "lower",
        ),
    ]
    checks: dict[str, object] = {
        "web_errors_under_load": len(load.errors),
        "web_error_examples": load.errors[:5],
        "requests_under_load": len(load.times),
        "background_seconds": round(background, 1),
        "background_exit_codes": codes,
        "new_pages_visible": seen.visible,
        "new_pages_visible_after_s": round(seen.seconds, 1),
        "workers_checked": seen.workers,
        "new_pages_found": seen.totals,
    }
    return figures, checks
