"""`portail export`: the store's current pages as JSON lines (open data, and a crawl check)."""

from __future__ import annotations

import json
from typing import IO

from portail.db import Store


def write_export(store: Store, out: IO[str]) -> int:
    count = 0
    for record in store.export_rows():
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count
