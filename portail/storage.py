"""Writing to the data directory: files replaced whole (a temporary file, then a rename), and
the French words for a disk that refuses a write (read-only, full, forbidden).

    atomic_write(path, text)          # the old file, or the new one: never half of it
    reason = storage_problem(exc)     # « système de fichiers en lecture seule », or None

The command line turns such an error into one French line and the exit status 74 (EX_IOERR);
the web into a 503 page. The database's own writes are transactions, rolled back on error.
"""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

EXIT_IOERR = 74  # EX_IOERR (sysexits.h): the data directory cannot be written

# The system errors that mean « this disk will not take the write ».
ERRNO_REASONS = {
    errno.EROFS: "système de fichiers en lecture seule",
    errno.ENOSPC: "plus de place sur le disque",
    errno.EDQUOT: "quota de disque dépassé",
    errno.EACCES: "permission refusée",
    errno.EPERM: "opération non permise (fichier protégé ?)",
    errno.EIO: "erreur d'entrée-sortie du disque",
    errno.EFBIG: "fichier trop grand pour le système de fichiers",
}
# What SQLite and PostgreSQL say in that case (lower case), and what it means.
DATABASE_REASONS = (
    ("readonly database", "base de données en lecture seule"),
    ("read-only", "base de données en lecture seule"),
    ("disk is full", "plus de place sur le disque"),
    ("database or disk is full", "plus de place sur le disque"),
    ("no space left", "plus de place sur le disque"),
    ("could not extend file", "plus de place sur le disque"),
    ("unable to open database file", "base de données impossible à ouvrir en écriture"),
    ("disk i/o error", "erreur d'entrée-sortie du disque"),
)


def storage_problem(exc: BaseException, paths: bool = True) -> str | None:
    """The French reason when `exc` (or what caused it) is a refused write, else None;
    with the file's path unless `paths` is false (what a web visitor reads)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        reason = _reason(current, paths)
        if reason:
            return reason
        current = current.__cause__ or current.__context__
    return None


def _reason(exc: BaseException, paths: bool) -> str | None:
    if isinstance(exc, OSError) and exc.errno in ERRNO_REASONS:
        where = f" : {exc.filename}" if exc.filename and paths else ""
        return f"{ERRNO_REASONS[exc.errno]}{where}"
    module = type(exc).__module__
    if module.startswith(("sqlite3", "sqlalchemy", "psycopg")):
        text = str(getattr(exc, "orig", None) or exc).lower()
        for words, reason in DATABASE_REASONS:
            if words in text:
                return reason
        if type(exc).__name__ in ("DiskFull", "ReadOnlySqlTransaction"):
            return "la base de données refuse l'écriture"
    return None


def disk_state(folder: Path | str) -> str | None:
    """What the file system of `folder` says of itself: read-only, or full; else None."""
    try:
        stats = os.statvfs(folder)
    except OSError:
        return None
    if stats.f_flag & os.ST_RDONLY:
        return ERRNO_REASONS[errno.EROFS]
    if stats.f_bavail == 0:
        return ERRNO_REASONS[errno.ENOSPC]
    return None


def refused_message(reason: str, data_dir: Path | str) -> str:
    """The line a person reads when a write is refused (with the state of the data
    directory's disk when the reason does not already say it)."""
    state = disk_state(data_dir)
    if state and state not in reason:
        reason = f"{reason} ; {state}"
    return (
        f"Écriture impossible ({reason}) : rien n'a été écrit à moitié. Libérez de la place "
        f"sur le disque du répertoire de données ({data_dir}) ou rendez-le accessible en "
        "écriture, puis relancez."
    )


@contextmanager
def atomic_file(path: Path | str, mode: int = 0o644) -> Iterator[IO[str]]:
    """A text file written beside `path`, then renamed over it once complete and on disk; on
    any error the temporary file is removed and `path` is left as it was."""
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write(path: Path | str, text: str, mode: int = 0o644) -> None:
    """Replace `path` with `text` whole (see `atomic_file`)."""
    with atomic_file(path, mode) as handle:
        handle.write(text)
