"""The packages form layers: each imports only those below it, so the web front end can be
deployed without the crawler and the crawler never reaches into the web pages (issue 14).

    portail  <  crawlers  <  indexer  <  webui  <  scheduler  <  portail_cli

The web front end never imports the crawler or the scheduler; the demo web is a separate
program that imports nothing of the portal, and only the command line starts it."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

LAYERS = ["portail", "crawlers", "indexer", "webui", "scheduler", "portail_cli"]
FORBIDDEN = {("webui", "crawlers"), ("webui", "scheduler"), ("indexer", "crawlers")}
DEMO_USERS = {"portail_cli"}


def imports(root: Path, package: str) -> dict[str, set[str]]:
    """The portal packages each file of `package` imports (at any depth, even in functions)."""
    known = {*LAYERS, "demo"}
    found: dict[str, set[str]] = {}
    for path in sorted((root / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in known and top != package:
                    found.setdefault(top, set()).add(str(path.relative_to(root)))
    return found


def violations(root: Path) -> list[str]:
    """Every import that goes up a layer or across a forbidden line, in French."""
    out = []
    for package in [*LAYERS, "demo"]:
        if not (root / package).is_dir():
            continue
        for target, files in sorted(imports(root, package).items()):
            where = ", ".join(sorted(files))
            if package == "demo":
                out.append(f"{where} : le web de démonstration importe {target}")
            elif target == "demo":
                if package not in DEMO_USERS:
                    out.append(f"{where} : {package} importe le web de démonstration")
            elif (package, target) in FORBIDDEN:
                out.append(f"{where} : {package} ne doit pas importer {target}")
            elif LAYERS.index(target) > LAYERS.index(package):
                out.append(f"{where} : {package} importe {target}, une couche au-dessus")
    return out


def test_every_package_imports_only_the_layers_below_it():
    assert violations(ROOT) == []


def test_the_web_front_end_and_the_crawler_are_kept_apart():
    webui = imports(ROOT, "webui")
    assert "crawlers" not in webui and "scheduler" not in webui and "portail_cli" not in webui
    assert set(imports(ROOT, "crawlers")) <= {"portail"}


def test_an_import_going_up_is_reported(tmp_path):
    for package in LAYERS:
        (tmp_path / package).mkdir()
    (tmp_path / "indexer" / "late.py").write_text("def f():\n    from webui import create_app\n")
    (tmp_path / "webui" / "pages.py").write_text("import crawlers.spider\n")
    (tmp_path / "portail" / "ok.py").write_text("from . import db\nimport json\n")
    assert violations(tmp_path) == [
        "indexer/late.py : indexer importe webui, une couche au-dessus",
        "webui/pages.py : webui ne doit pas importer crawlers",
    ]
