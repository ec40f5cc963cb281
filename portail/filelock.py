"""An exclusive lock on a file beside the data file it protects (fcntl, waits its turn)."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def locked(data_file: Path) -> Iterator[None]:
    """Hold `<data_file>.lock` while reading and rewriting `data_file`."""
    path = data_file.with_suffix(".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
