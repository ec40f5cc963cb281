"""The hotline's settings: the mail server, the desks' delivery addresses, the retention of
personal data. They live in `<data>/hotline-settings.toml` (never in the repository, never
shown on the portal); the environment may override the mail server:
`PORTAIL_SMTP_HOST`, `PORTAIL_SMTP_PORT`, `PORTAIL_SMTP_SENDER`, `PORTAIL_SMTP_USER`,
`PORTAIL_SMTP_PASSWORD` (the password is only read from there).

    retention_days = 365              # personal data erased this long after the last event
    public_url = "https://export.example.gouv.fr"   # the portal's address, for links in mails
    [smtp]
    host = "smtp.example.fr"          # empty: mails wait in the outbox
    port = 587
    sender = "hotline@example.fr"
    starttls = true
    timeout = 30
    [addresses]                       # desk key, or desk id, or "default" → address
    national = "orientation@example.fr"
    "tfe-53" = "export-bretagne@example.fr"
    bpifrance = "export@example.fr"   # every regional desk of Bpifrance
    default = "orientation@example.fr"
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from portail.schema import Bool, Field, Int, Map, Str, Table, load_toml

SETTINGS_FILE = "hotline-settings.toml"
EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")


def _email(value: str) -> str | None:
    return None if EMAIL.fullmatch(value) else f"« {value} » n'est pas une adresse électronique"


SCHEMA = Table(
    {
        "retention_days": Field(Int(1, 3650), help="jours de conservation des données"),
        "public_url": Field(Str(pattern=r"https?://\S+"), help="adresse publique du portail"),
        "smtp": Field(
            Table(
                {
                    "host": Field(Str(), help="serveur SMTP ; vide : les courriels attendent"),
                    "port": Field(Int(1, 65535)),
                    "sender": Field(Str(check=lambda v: _email(v) if v else None)),
                    "starttls": Field(Bool()),
                    "timeout": Field(Int(1, 600)),
                    "user": Field(Str()),
                }
            )
        ),
        "addresses": Field(Map(Str(check=_email), key=Str(pattern=r"[a-z0-9-]+"))),
    }
)


@dataclass(frozen=True)
class Smtp:
    host: str = ""
    port: int = 25
    sender: str = ""
    starttls: bool = False
    timeout: int = 30
    user: str = ""
    password: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender)


@dataclass(frozen=True)
class HotlineSettings:
    smtp: Smtp = field(default_factory=Smtp)
    addresses: dict[str, str] = field(default_factory=dict)
    retention_days: int = 365
    public_url: str = ""

    def address(self, desk: str) -> str | None:
        """Where a desk's mail goes: its own key (« tfe-53 »), its kind (« tfe »), else the
        default address; None when none is configured."""
        kind = desk.rpartition("-")[0] if "-" in desk else desk
        for key in (desk, kind, "default"):
            if self.addresses.get(key):
                return self.addresses[key]
        return None


def settings_path(data_dir: Path) -> Path:
    return Path(data_dir) / SETTINGS_FILE


def load_settings(data_dir: Path) -> HotlineSettings:
    """The settings of a data directory (defaults when the file is absent), with the
    environment's overrides; DataError lists every problem of the file."""
    path = settings_path(data_dir)
    raw = load_toml(path, SCHEMA) if path.exists() else {}
    smtp = dict(raw.get("smtp", {}))
    for key, variable in (
        ("host", "PORTAIL_SMTP_HOST"),
        ("sender", "PORTAIL_SMTP_SENDER"),
        ("user", "PORTAIL_SMTP_USER"),
        ("password", "PORTAIL_SMTP_PASSWORD"),
    ):
        if os.environ.get(variable):
            smtp[key] = os.environ[variable]
    if os.environ.get("PORTAIL_SMTP_PORT", "").isdigit():
        smtp["port"] = int(os.environ["PORTAIL_SMTP_PORT"])
    return HotlineSettings(
        smtp=Smtp(**smtp),
        addresses=dict(raw.get("addresses", {})),
        retention_days=int(raw.get("retention_days", 365)),
        public_url=str(raw.get("public_url", "")).rstrip("/"),
    )
