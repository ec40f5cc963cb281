"""Copy the DSFR files the web UI uses from node_modules into `webui/static/dsfr/`.

Run after `npm ci`: `python -m webui.assets`. Only what the pages need is copied: the
minified CSS and JS, the fonts, the favicons, the icons the CSS refers to, the utility icon
classes (with their SVGs) named in `ICONS` and the pictograms named in `ARTWORK`.
Idempotent: files already up to date are left alone, files no longer needed are removed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "node_modules" / "@gouvfr" / "dsfr" / "dist"
TARGET = Path(__file__).resolve().parent / "static" / "dsfr"
FILES = ("dsfr.min.css", "dsfr.module.min.js", "dsfr.nomodule.min.js")
DIRECTORIES = ("fonts", "favicon")
# The `fr-icon-*` utility classes the templates use (tests/test_webui.py checks that every
# such class in the templates is listed here).
ICONS = (
    "arrow-right-line",
    "calendar-event-line",
    "close-line",
    "map-pin-2-line",
    "rss-fill",
)
# Pictograms the templates use (the display settings' theme choices), relative to dist/.
ARTWORK = (
    "artwork/pictograms/environment/sun.svg",
    "artwork/pictograms/environment/moon.svg",
    "artwork/pictograms/system/system.svg",
)
CSS_URL = re.compile(r"url\((?:\.\./)*(icons/[a-z0-9/_-]+\.svg)\)")


class AssetsError(Exception):
    """The DSFR package is missing or incomplete."""


def icon_svgs(css: str) -> set[str]:
    """Paths (relative to dist/) of the SVG icons a stylesheet refers to."""
    return set(CSS_URL.findall(css))


def utility_rules(name: str) -> tuple[str, str]:
    """The CSS rules of one utility icon class, and the SVG path they refer to."""
    found = sorted((DIST / "icons").glob(f"*/{name}.svg")) + sorted(
        (DIST / "icons").glob(f"*/fr--{name}.svg")
    )
    if not found:
        raise AssetsError(f"l'icône « {name} » est introuvable")
    category = found[0].parent.name
    css_file = DIST / "utility" / "icons" / f"icons-{category}" / f"icons-{category}.min.css"
    css = css_file.read_text("utf-8")
    pattern = re.compile(r"[^{}]*\.fr-icon-" + re.escape(name) + r"(?![\w-])[^{}]*\{[^{}]*\}")
    # Modern browsers use the mask rules; the background ones are for Internet Explorer.
    rules = [rule for rule in pattern.findall(css) if "mask-image" in rule]
    if not rules:
        raise AssetsError(f"l'icône « fr-icon-{name} » est introuvable dans {css_file.name}")
    svgs = icon_svgs("".join(rules))
    return "".join(r.strip() for r in rules), next(iter(svgs)) if svgs else ""


def wanted_files() -> dict[Path, bytes | Path]:
    """Every file of the target directory: its path and its content (or source file)."""
    for name in (*FILES, *ARTWORK):
        if not (DIST / name).is_file():
            raise AssetsError(f"fichier manquant dans le paquet DSFR : {name}")
    wanted: dict[Path, bytes | Path] = {Path(name): DIST / name for name in (*FILES, *ARTWORK)}
    for directory in DIRECTORIES:
        for path in sorted((DIST / directory).rglob("*")):
            if path.is_file():
                wanted[path.relative_to(DIST)] = path
    svgs = icon_svgs((DIST / "dsfr.min.css").read_text("utf-8"))
    rules = []
    for icon in ICONS:
        css, svg = utility_rules(icon)
        # The sheet sits at dsfr/utility/icons.min.css: its URLs must point one level up.
        rules.append(re.sub(r"url\((?:\.\./)+icons/", "url(../icons/", css))
        svgs.add(svg)
    wanted[Path("utility/icons.min.css")] = "\n".join(rules).encode("utf-8") + b"\n"
    for svg in sorted(svgs):
        if (DIST / svg).is_file():
            wanted[Path(svg)] = DIST / svg
    return wanted


def sync(target: Path = TARGET) -> tuple[int, int]:
    """Bring `target` in line with the wanted files; return (written, removed)."""
    wanted = wanted_files()
    written = removed = 0
    for rel, source in wanted.items():
        content = source.read_bytes() if isinstance(source, Path) else source
        dest = target / rel
        if dest.is_file() and dest.read_bytes() == content:
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(content)
        written += 1
    for path in sorted(target.rglob("*"), reverse=True):
        rel = path.relative_to(target)
        if path.is_file() and rel not in wanted:
            path.unlink()
            removed += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return written, removed


def main() -> int:
    if not DIST.is_dir():
        print(
            "Le paquet du DSFR est introuvable (node_modules/@gouvfr/dsfr/dist) : "
            "lancez d'abord « npm ci » à la racine du projet.",
            file=sys.stderr,
        )
        return 1
    try:
        written, removed = sync()
    except AssetsError as exc:
        print(f"Copie des fichiers du DSFR impossible : {exc}.", file=sys.stderr)
        return 1
    total = sum(1 for p in TARGET.rglob("*") if p.is_file())
    print(
        f"DSFR : {total} fichiers dans {TARGET.relative_to(ROOT)} "
        f"({written} écrits, {removed} supprimés)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
