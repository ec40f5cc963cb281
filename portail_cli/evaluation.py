"""The labelled material of `portail eval` and `portail train`, gathered for the command line.

The sets live in the repository: the demo web (its content files carry the labels), and under
`eval/` the real-style sets (`classify/dev.jsonl`, `classify/test.jsonl`, and
`classify/unseen3.jsonl`, a third writer's set kept for measuring only), the training sets
(`train/*.jsonl`) and the search set (`search/`). Training uses the demo web, the dev half and
the training sets — never a test half.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

EVAL_DIR = Path(__file__).resolve().parent.parent / "eval"


class DataError(Exception):
    """A labelled file that cannot be read; the message is French."""


def read(path: Path) -> list[dict[str, Any]]:
    from indexer.evaluate import read_records

    try:
        return read_records(path)
    except OSError as exc:
        raise DataError(f"{path} : lecture impossible ({exc.strerror})") from None
    except ValueError as exc:
        raise DataError(f"{path} : JSON invalide ({exc})") from None


def demo() -> list[dict[str, Any]]:
    from demo.records import demo_records

    return demo_records()


def training_records() -> list[dict[str, Any]]:
    """The demo web, the dev half and the training sets."""
    records = demo() + read(EVAL_DIR / "classify" / "dev.jsonl")
    for path in sorted((EVAL_DIR / "train").glob("*.jsonl")):
        records += read(path)
    return records


def classification_reports(
    files: list[Path], cross_validate: bool = False, detail: bool = False
) -> Iterator[str]:
    """One French report per set, each beside its naive baseline, with its confusion matrix;
    `detail` adds the figures per step and the errors."""
    from indexer.evaluate import baseline, evaluate, format_report, overview
    from indexer.train import cross_validate as out_of_fold
    from portail.language import plural

    if cross_validate:
        records = training_records()
        results = out_of_fold(records)
        dev = [(r, x) for r, x in zip(records, results, strict=True) if _is_dev(r)]
        sets = [("moitié dev, validation croisée entre rédacteurs", [r for r, _ in dev])]
        reports = [evaluate(sets[0][1], results=[x for _, x in dev])]
    else:
        sets = (
            [(str(f), read(f)) for f in files]
            if files
            else [
                ("web de démonstration", demo()),
                ("moitié dev (réglages)", read(EVAL_DIR / "classify" / "dev.jsonl")),
                ("moitié test (jamais réglée)", read(EVAL_DIR / "classify" / "test.jsonl")),
                ("jeu réservé 3 (mesure seule)", read(EVAL_DIR / "classify" / "unseen3.jsonl")),
            ]
        )
        reports = [evaluate(records) for _, records in sets]
    for (name, records), report in zip(sets, reports, strict=True):
        naive = baseline(records)
        if detail:
            yield f"== {name}\n{format_report(report, naive)}\n"
        else:
            pages = plural(report.total, "page")
            yield f"== {name} : {pages}\n" + "\n".join(overview(report, naive)) + "\n"


def _is_dev(record: dict[str, Any]) -> bool:
    return record.get("writer") != "demo" and not str(record.get("id", "")).startswith("tr-")


def search_report(half: str, detail: bool = False) -> str:
    from indexer.search_eval import evaluate_search, format_search_report

    corpus = read(EVAL_DIR / "search" / "corpus.jsonl")
    queries = read(EVAL_DIR / "search" / f"queries-{half}.jsonl")
    result = evaluate_search(corpus, queries)
    return f"== recherche, {SEARCH_SETS[half]}\n{format_search_report(result, detail)}\n"


SEARCH_SETS = {
    "dev": "moitié dev (réglages)",
    "dev2": "second jeu dev2 (réglages, écrit à part)",
    "dev3": "troisième jeu dev3 (réglages, écrit à part)",
    "test": "moitié test (jamais réglée)",
}


def news_report(detail: bool = False) -> str:
    """The near-duplicate rule of the news stream on the labelled pairs (`eval/news/`)."""
    from indexer.news_eval import Item, PairsError, load_pairs, report
    from portail.schema import DataError as SchemaError

    manifest = json.loads((EVAL_DIR.parent / "demo" / "manifest.json").read_text("utf-8"))
    dates = {page["url"]: page.get("date") for page in manifest["pages"]}
    demo_items = [
        Item(r["url"], r["title"], r["text"], _day(dates.get(r["url"])))
        for r in demo()
        if r["kind"] == "news"
    ]
    try:
        pairs = load_pairs(EVAL_DIR / "news" / "pairs.toml", demo_items)
    except (PairsError, SchemaError) as exc:
        raise DataError(str(exc)) from None
    return f"== actualités : doublons\n{report(pairs, detail)}\n"


def _day(value: str | None) -> Any:
    from datetime import date

    return date.fromisoformat(value) if value else None


def train_model(check: bool) -> list[str]:
    """Train (or check) the model file; the problems found, in French."""
    from indexer.model import MODEL_FILE
    from indexer.train import differences, train, write_model

    records = training_records()
    document = train(records)
    if check:
        return differences(document)
    write_model(document)
    trained = document["trained_on"]
    print(
        f"{MODEL_FILE} écrit : {len(document['vocabulary'])} caractéristiques, "
        f"{trained['pages']} pages dont {trained['relevant']} pages export."
    )
    return []


def dump(records: list[dict[str, Any]]) -> str:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in records)
