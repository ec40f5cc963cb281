"""The maintainers' console credentials and the web session key, kept in the data directory.

`admin.toml` holds the hash of the console's password (werkzeug's scrypt), written by
`portail admin set-password`; the environment variable `PORTAIL_ADMIN_PASSWORD_HASH`, when
set, wins over it. `secret_key` holds the key that signs session cookies, generated once.
Both files are readable by their owner only (mode 0600).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import tomllib
from functools import cache
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from portail.db import now

ADMIN_FILE = "admin.toml"
SECRET_KEY_FILE = "secret_key"
HASH_ENV = "PORTAIL_ADMIN_PASSWORD_HASH"
MIN_PASSWORD_CHARS = 12


class CredentialsError(ValueError):
    """A password or credentials file that cannot be used; the message is French."""


def set_admin_password(data_dir: Path, password: str) -> Path:
    """Store the hash of the console's password in `<data>/admin.toml` (mode 0600)."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise CredentialsError(
            f"mot de passe trop court : {MIN_PASSWORD_CHARS} caractères au moins"
        )
    if password != password.strip() or any(ord(c) < 32 for c in password):
        raise CredentialsError(
            "le mot de passe ne doit ni commencer ni finir par une espace, "
            "ni contenir de caractère de contrôle"
        )
    hashed = generate_password_hash(password)
    text = (
        "# Console des mainteneurs : empreinte du mot de passe "
        "(portail admin set-password).\n"
        f'password_hash = "{hashed}"\nupdated = "{now()}"\n'
    )
    path = Path(data_dir) / ADMIN_FILE
    _write_private(path, text.encode("utf-8"))
    return path


def admin_password_hash(data_dir: Path) -> str | None:
    """The password hash in force: the environment's, else admin.toml's, else None."""
    from_env = os.environ.get(HASH_ENV, "").strip()
    if from_env:
        return from_env
    try:
        raw = tomllib.loads((Path(data_dir) / ADMIN_FILE).read_text("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:
        raise CredentialsError(f"{ADMIN_FILE} : lecture impossible ({exc})") from None
    value = raw.get("password_hash")
    return value if isinstance(value, str) and value else None


def check_admin_password(data_dir: Path, password: str) -> bool:
    """True when `password` matches the hash in force (never when none is set)."""
    hashed = admin_password_hash(data_dir)
    if hashed is None:
        check_password_hash(_dummy_hash(), password)  # a refusal takes as long as a check
        return False
    try:
        return check_password_hash(hashed, password)
    except ValueError:  # a malformed hash in the environment or the file
        return False


@cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(8))


def password_fingerprint(data_dir: Path) -> str:
    """A short digest of the hash in force: sessions opened under another password end."""
    hashed = admin_password_hash(data_dir) or ""
    return hashlib.sha256(hashed.encode("utf-8")).hexdigest()[:16]


def secret_key(data_dir: Path) -> str:
    """The key that signs session cookies: read, or generated once (mode 0600)."""
    path = Path(data_dir) / SECRET_KEY_FILE
    try:
        key = path.read_text("ascii").strip()
    except FileNotFoundError:
        key = ""
    if len(key) >= 32:
        return key
    _write_private(path, secrets.token_hex(32).encode("ascii"), exclusive=not path.exists())
    return path.read_text("ascii").strip()


def _write_private(path: Path, data: bytes, exclusive: bool = False) -> None:
    """Write a file readable by its owner only, atomically; with `exclusive`, the first
    writer wins (two processes starting at once end up with the same key)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if exclusive:
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        else:
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
