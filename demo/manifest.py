"""Write `demo/manifest.json` from the demo web's content: `python -m demo.manifest`."""

from __future__ import annotations

from demo.site import DEMO_DIR
from demo.web import DemoWeb, manifest_json

MANIFEST = DEMO_DIR / "manifest.json"


def main() -> None:
    MANIFEST.write_text(manifest_json(DemoWeb()) + "\n", encoding="utf-8")
    print(f"{MANIFEST} écrit.")


if __name__ == "__main__":
    main()
