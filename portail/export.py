"""`portail export`: the store's current pages as JSON lines (open data, and a crawl check)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from portail.store import Store

EXPORT_SQL = """
SELECT p.url, p.fetched_url, p.source, p.status, p.title, p.text, p.published, p.modified,
       e.step, e.kind, e.countries, e.regions, e.sectors, e.date, e.relevant
FROM pages p LEFT JOIN enrichment e ON e.url = p.url AND e.version = p.version
ORDER BY p.source, p.url
"""


def export_rows(store: Store) -> Iterator[dict[str, Any]]:
    for row in store.db.execute(EXPORT_SQL):
        yield {
            "url": row["fetched_url"] or row["url"],
            "canonical_url": row["url"],
            "source": row["source"],
            "status": row["status"],
            "title": row["title"],
            "text": row["text"],
            "step": row["step"] if row["relevant"] else None,
            "kind": row["kind"],
            "countries": json.loads(row["countries"]) if row["countries"] else [],
            "regions": json.loads(row["regions"]) if row["regions"] else [],
            "sectors": json.loads(row["sectors"]) if row["sectors"] else [],
            "date": row["date"] or row["modified"] or row["published"],
        }


def write_export(store: Store, out: IO[str]) -> int:
    count = 0
    for record in export_rows(store):
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count
