#!/usr/bin/python3
"""Writes jbang-catalog.json: one JBang alias per chapter script, with the script's //DESCRIPTION.

  tools/catalog.py          rewrite jbang-catalog.json from jbang-scripts/*.java
  tools/catalog.py --check  exit 1 if it is out of date (the tests use catalog())

With it, `jbang pool` (and `jbang naming`, ...) runs a chapter from anywhere in the clone, `jbang alias list`
shows them, and `jbang app install --name mproc-pool jbang-scripts/pool.java` installs one as a command.
"""
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "jbang-catalog.json"


def catalog():
    aliases = {}
    for s in sorted((ROOT / "jbang-scripts").glob("*.java")):
        m = re.search(r"^//DESCRIPTION\s+(.+)$", s.read_text(), re.M)
        aliases[s.stem] = {"script-ref": f"jbang-scripts/{s.name}", "description": m.group(1).strip() if m else s.stem}
    return {"catalogs": {}, "aliases": aliases}


def text():
    return json.dumps(catalog(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        sys.exit(0 if CATALOG.is_file() and CATALOG.read_text() == text() else 1)
    CATALOG.write_text(text())
    print(f"{CATALOG.name}: {len(catalog()['aliases'])} aliases")
