"""Crawl throughput: the full crawler against a bare Scrapy spider, same site, same run."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.site import GeneratedSite


def run_child(args: list[str], env: dict[str, str] | None = None) -> tuple[str, float, float]:
    """Run a child process; return its stdout, wall time and peak RSS in MB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.monotonic()
    proc = subprocess.run(args, capture_output=True, text=True, env=env, check=True)
    elapsed = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return proc.stdout, elapsed, max(peak, before) / 1024


def main(pages: int = 5000) -> dict[str, float]:
    site = GeneratedSite(pages)
    origin = site.start()
    try:
        out, _, _bare_rss = run_child(
            [sys.executable, "-m", "bench.bare_spider", origin, str(pages)]
        )
        bare_count, bare_seconds = out.split()
        bare_rate = int(bare_count) / float(bare_seconds)
        with tempfile.TemporaryDirectory() as tmp:
            sources = Path(tmp) / "sources.toml"
            sources.write_text(
                f'[[source]]\nid = "mesure"\nname = "Site de mesure"\n'
                f'start_urls = ["{origin}/p/0"]\ndepth = 30\nmax_pages = {pages + 10}\n'
                f"delay = 0.0\n",
                "utf-8",
            )
            env = {**os.environ, "PORTAIL_DATA": str(Path(tmp) / "var")}
            _, full_seconds, full_rss = run_child(
                [sys.executable, "-m", "portail_cli", "crawl", "--sources", str(sources)], env
            )
            from portail.db import Store

            store = Store(Path(tmp) / "var" / "pages.sqlite3")
            full_count = store.count_pages("ok")
            store.close()
    finally:
        site.stop()
    full_rate = full_count / full_seconds
    print(f"Collecte de {pages} pages générées sur 127.0.0.1 :")
    print(
        f"  araignée Scrapy nue : {bare_count} pages en {float(bare_seconds):.1f} s, "
        f"{bare_rate:.1f} pages/s"
    )
    print(
        f"  collecteur complet  : {full_count} pages en {full_seconds:.1f} s (processus "
        f"entier), {full_rate:.1f} pages/s, mémoire maximale {full_rss:.0f} Mo"
    )
    print(
        f"  rapport : {full_rate / bare_rate:.0%} du débit de l'araignée nue "
        f"(objectif ≥ 60 %, mémoire < 400 Mo)"
    )
    return {"bare_rate": bare_rate, "full_rate": full_rate, "full_rss_mb": full_rss}


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
