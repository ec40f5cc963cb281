"""Where the portal keeps its data: `$PORTAIL_DATA`, by default `./var`."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir(create: bool = True) -> Path:
    """The data directory, created on first use (unless `create` is false)."""
    path = Path(os.environ.get("PORTAIL_DATA", "var")).resolve()
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def default_sources() -> Path:
    """`sources.toml` in the working directory, else the demo web's (the embedded default)."""
    here = Path("sources.toml")
    return here if here.exists() else Path(__file__).resolve().parent.parent / "sources.toml"
