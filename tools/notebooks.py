#!/usr/bin/python3
"""The notebooks' housekeeping, shared by `make notebooks` (tests/harness.py --execute-notebooks) and the tests.

  nav(paths)             the "< previous | contents | next >" line at the top and bottom of every notebook, and
                         the project's kernelspec (mproc-java) in its metadata
  merge_streams(nb)      consecutive stream outputs of a cell (IJava sends one per line) merged into one
  sources_hash(nb)       a hash of what a notebook's outputs depend on: the toolkit's sources, setup.jsh and
                         the notebook's own code cells; `make notebooks` records it, a test compares it
  absolute_paths(nb)     absolute paths in stored outputs (a reader's machine is not ours)

Run as a script: `tools/notebooks.py nav` rewrites the navigation lines of notebooks/*.ipynb in place, and
copies README.md's name-by-name table of `multiprocessing` into the index (parity()).
"""
import hashlib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
NAV = "mproc-nav"  # the metadata tag of the navigation cells
KERNEL = "mproc-java"  # the project's kernelspec (.ci/setup.sh): a reader's own `java` kernelspec is left alone
KERNELSPEC = {"name": KERNEL, "display_name": "Java (mproc)", "language": "java"}
ABSOLUTE = re.compile(r"(?<![\w.~])/(?:work|root|home|tmp|usr|opt|var)/[\w./-]+")


def chapters():
    """The notebooks in reading order: 00-index first."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))


def title(nb):
    """'# 5 · A process as a subclass' -> (5, 'A process as a subclass')."""
    for c in nb["cells"]:
        if c["cell_type"] == "markdown" and NAV not in c.get("metadata", {}).get("tags", []):
            first = "".join(c["source"]).strip().splitlines()[0]
            m = re.match(r"^#\s+(\d+)\s+·\s+(.+)$", first)
            return (int(m.group(1)), m.group(2).strip()) if m else (None, first.lstrip("# ").strip())
    return None, None


def nav_line(paths, i):
    prev = f"[< {title_of(paths[i - 1])}]({paths[i - 1].name})" if i > 0 else ""
    contents = "[contents](00-index.ipynb)" if paths[i].name != "00-index.ipynb" else "contents"
    nxt = f"[{title_of(paths[i + 1])} >]({paths[i + 1].name})" if i + 1 < len(paths) else ""
    return " | ".join(p for p in (prev, contents, nxt) if p)


def title_of(path):
    n, t = title(json.loads(path.read_text()))
    return f"{n} · {t}" if n is not None else t


def nav_cell(text, where):
    return {"cell_type": "markdown", "id": f"{NAV}-{where}", "metadata": {"tags": [NAV]}, "source": [text]}


def is_nav(cell):
    return NAV in cell.get("metadata", {}).get("tags", [])


def text(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def nav(paths=None, write=True):
    """Puts the navigation line first and last in every notebook; returns the notebooks it changed."""
    paths = paths or chapters()
    changed = []
    for i, p in enumerate(paths):
        nb = json.loads(p.read_text())
        cells, line = nb["cells"], nav_line(paths, i)
        navs = [c for c in cells if is_nav(c)]
        if len(navs) == 2 and is_nav(cells[0]) and is_nav(cells[-1]) and text(cells[0]) == line == text(cells[-1]) \
                and nb["metadata"].get("kernelspec") == KERNELSPEC:
            continue
        nb["metadata"]["kernelspec"] = KERNELSPEC
        nb["cells"] = [nav_cell(line, "top")] + [c for c in cells if not is_nav(c)] + [nav_cell(line, "bottom")]
        changed.append(p)
        if write:
            p.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    return changed


PARITY = "mproc-parity"  # the id of the index's cell that lists every Python name: README.md's table


def parity_cell():
    """The index's "every name" cell: README.md's section "Python's `multiprocessing`, name by name", verbatim."""
    readme = (ROOT / "README.md").read_text()
    start = readme.index("## Python's `multiprocessing`, name by name")
    end = readme.index("\n## ", start + 3)
    body = readme[start:end].strip().replace("## Python's", "## Every name: Python's", 1)
    return {"cell_type": "markdown", "id": PARITY, "metadata": {}, "source": body.splitlines(True)}


def parity(write=True):
    """Puts README's name-by-name table into the index, before its last section; True if it changed."""
    p = NOTEBOOKS / "00-index.ipynb"
    nb = json.loads(p.read_text())
    want = parity_cell()
    cells = [c for c in nb["cells"] if c.get("id") != PARITY]
    old = next((c for c in nb["cells"] if c.get("id") == PARITY), None)
    if old is not None and text(old) == text(want):
        return False
    at = next(i for i, c in enumerate(cells) if text(c).startswith("## How the pages are made"))
    nb["cells"] = cells[:at] + [want] + cells[at:]
    if write:
        p.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    return True


def merge_streams(nb):
    """Merges each cell's consecutive stream outputs of the same name (stdout, stderr) into one."""
    for c in nb.cells if hasattr(nb, "cells") else nb["cells"]:
        if c.get("cell_type") != "code":
            continue
        merged = []
        for o in c.get("outputs", []):
            if merged and o.get("output_type") == "stream" and merged[-1].get("output_type") == "stream" \
                    and merged[-1].get("name") == o.get("name"):
                merged[-1]["text"] = "".join(merged[-1]["text"]) + "".join(o["text"])
            else:
                merged.append(o)
        c["outputs"] = merged
    return nb


def source_files():
    # what a notebook's kernel loads: every module's main sources but the bench's (make bench only)
    files = sorted(f for f in (ROOT / "toolkit").glob("*/src/main/**/*")
                   if f.is_file() and f.relative_to(ROOT / "toolkit").parts[0] != "bench")
    return files + [NOTEBOOKS / "setup.jsh"]


def sources_hash(nb):
    h = hashlib.sha256()
    for f in source_files():
        h.update(str(f.relative_to(ROOT)).encode())
        h.update(f.read_bytes())
    for c in nb["cells"]:
        if c["cell_type"] == "code":
            h.update(("".join(c["source"]) if isinstance(c["source"], list) else c["source"]).encode())
    return h.hexdigest()[:16]


def stamp(nb):
    nb["metadata"].setdefault("mproc", {})["sources"] = sources_hash(nb)


def stamped(nb):
    return nb.get("metadata", {}).get("mproc", {}).get("sources")


def absolute_paths(nb):
    found = []
    for c in nb["cells"]:
        for o in c.get("outputs", []):
            texts = [o.get("text", "")] + [v for k, v in o.get("data", {}).items() if k.startswith("text/")]
            for t in texts:
                found += ABSOLUTE.findall("".join(t) if isinstance(t, list) else t)
    return found


if __name__ == "__main__":
    if sys.argv[1:] == ["nav"]:
        for p in nav():
            print("navigation updated:", p.name)
        if parity():
            print("00-index.ipynb: the name-by-name table copied from README.md")
    else:
        print(__doc__)
        sys.exit(2)
