"""`make bench`: crawl, index and web benchmarks, in that order (the web one reuses the index)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench import crawl, index, web


def main() -> None:
    print("== Collecte ==", flush=True)
    crawl.main(5000)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "var"
        print("== Indexation et recherche ==", flush=True)
        index.main(50_000, keep=data)
        print("== Web (gunicorn, 2 processus) ==", flush=True)
        web.main(data)


if __name__ == "__main__":
    main()
