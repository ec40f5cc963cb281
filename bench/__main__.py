"""`make bench` (`python -m bench`): crawl, index, search and web figures, each beside its bare
baseline measured in the same run, in one table (Markdown and JSON)."""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench import crawl, index, web
from bench.table import Table

FULL = {
    "crawl_pages": 5000,
    "index_pages": 50_000,
    "index_procs": 2,
    "ratio_pages": 2000,
    "queries": 200,
    "requests": 600,
    "load_crawl_pages": 200,
    "load_index_pages": 200,
    "workers": 2,
    "calm_seconds": 30,
}
QUICK = FULL | {
    "crawl_pages": 100,
    "index_pages": 300,
    "index_procs": 1,
    "ratio_pages": 300,
    "queries": 40,
    "requests": 30,
    "load_crawl_pages": 30,
    "load_index_pages": 30,
    "calm_seconds": 5,
}


def run(settings: dict[str, int], quick: bool, only: str | None = None) -> Table:
    """Every measurement, in order (the web ones reuse the index), or only the crawl."""
    title = "Mesures de France International" + (" (rapides)" if quick else "")
    table = Table(title + (" : collecte seule" if only == "crawl" else ""), settings)
    started = time.monotonic()
    table.note_load("début")
    print("== Collecte ==", flush=True)
    table.add(*crawl.main(settings["crawl_pages"]))
    table.note_load("après la collecte")
    if only != "crawl":
        measure_index_and_web(table, settings)
    table.checks["bench_seconds"] = round(time.monotonic() - started)
    return table


def measure_index_and_web(table: Table, settings: dict[str, int]) -> None:
    """Indexing and search, then the web at rest and under load, on the index just built."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "var"
        print("== Indexation et recherche ==", flush=True)
        figures, checks = index.main(
            settings["index_pages"],
            settings["index_procs"],
            data,
            settings["queries"],
            settings["ratio_pages"],
        )
        table.add(*figures)
        table.checks.update(checks)
        table.note_load("après l'indexation et la recherche")
        workers = settings["workers"]
        print(f"== Web (gunicorn, {workers} processus) ==", flush=True)
        bare, port = web.start_server(data, workers, "bare")
        try:
            loads = web.measure(port, "bare", workers, settings["requests"])
        finally:
            web.stop_server(bare)
        portal, port = web.start_server(data, workers, "portal")
        try:
            loads |= web.measure(port, "portal", workers, settings["requests"])
            table.add(*web.web_figures(loads, workers))
            table.note_load("après le web au repos")
            print("== Web pendant une collecte et une indexation ==", flush=True)
            figures, checks = web.under_load(
                data,
                port,
                workers,
                settings["load_crawl_pages"],
                settings["load_index_pages"],
                loads["portal-page"],
                settings["calm_seconds"],
            )
        finally:
            web.stop_server(portal)
        table.add(*figures)
        table.checks.update(checks)
        table.note_load("après le web sous charge")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="petites tailles (moins d'une minute)")
    parser.add_argument("--out", type=Path, default=Path("var/bench"), help="dossier du tableau")
    parser.add_argument("--index-pages", type=int, help="taille du corpus indexé")
    parser.add_argument("--crawl-pages", type=int, help="taille du site généré à collecter")
    parser.add_argument(
        "--only", choices=["crawl"], help="une seule mesure (crawl : la collecte et sa référence)"
    )
    args = parser.parse_args(argv)
    settings = dict(QUICK if args.quick else FULL)
    if args.index_pages:
        settings["index_pages"] = args.index_pages
    if args.crawl_pages:
        settings["crawl_pages"] = args.crawl_pages
    if args.only == "crawl":
        settings = {"crawl_pages": settings["crawl_pages"]}
    table = run(settings, args.quick, args.only)
    name = "resultats-rapides" if args.quick else "resultats"
    md, js = table.write(args.out, name + ("-collecte" if args.only else ""))
    print()
    print(table.markdown())
    print(f"Tableau écrit dans {md} et {js}")


if __name__ == "__main__":
    main()
