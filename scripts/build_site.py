"""Build the course website (``make site``): the committed, executed notebooks rendered as static HTML.

python scripts/build_site.py                  # into build/site/
python scripts/build_site.py --out DIR        # somewhere else

Sphinx reads only files under its source folder, so the build first assembles one in
``<out>-work/src`` (build/site-work/src): the pages in ``docs/`` (their ``conf.py`` stays in
``docs/`` and is passed with ``-c``), a copy of each ``notebooks/NN_*.ipynb``, the reviews data
card, the README (the landing and sources pages include parts of it) and a course map generated
from the notebooks' title cells. Nothing there is committed; every build starts from an empty
folder. The notebooks are rendered with their saved outputs and never executed (nbval executes them
in ``make test``). Any Sphinx warning fails the build (``-W``), after all of them are reported
(``--keep-going``).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NOTEBOOKS = ROOT / "notebooks"
README = ROOT / "README.md"
DATA_CARD = ROOT / "src" / "hfnotes" / "data" / "reviews" / "README.md"

# Links in the README that point into the repository, and the site page that shows the same thing.
README_LINKS = {"src/hfnotes/data/reviews/README.md": "data-card.md"}
NEEDS = re.compile(r"\*\*Needs:?\*\*:?\s*(about .+?) on a 2-core CPU")


def course_notebooks() -> list[Path]:
    """The lessons in course order: ``notebooks/NN*.ipynb`` sorted by name (00 … 04, 04b, 05 … 10)."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]*.ipynb"))


def _title_and_time(notebook: Path) -> tuple[str, str]:
    """The first heading of a notebook's title cell and the time its **Needs:** line states."""
    cell = json.loads(notebook.read_text(encoding="utf-8"))["cells"][0]
    text = "".join(cell["source"])
    title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), None)
    needs = NEEDS.search(text.replace("\n", " "))
    if title is None or needs is None:
        raise SystemExit(f"{notebook.name}: the title cell needs a '# ' heading and a '**Needs:** about …' line")
    return title, needs.group(1)


def _readme_topics() -> dict[str, str]:
    """The topic column of the README's "What is inside" table, by notebook name."""
    rows = re.findall(r"^\| `(\w+)` \| (.+?) \|", README.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return dict(rows)


def course_map(notebooks: list[Path]) -> str:
    """A Markdown table: each notebook's page, its time on a 2-core CPU (title cell) and its topic (README)."""
    topics = _readme_topics()
    lines = ["| notebook | time | what it covers |", "|---|---|---|"]
    for notebook in notebooks:
        if notebook.stem not in topics:
            raise SystemExit(f"README.md's 'What is inside' table has no row for {notebook.stem}")
        title, needs = _title_and_time(notebook)
        lines.append(f"| [{title}](notebooks/{notebook.name}) | {needs} | {topics[notebook.stem]} |")
    lines += ["", "Times are for running the notebook on a 2-core CPU, as its title cell states."]
    return "\n".join(lines) + "\n"


def stage(src: Path) -> None:
    """Assemble Sphinx's source folder ``src`` (emptied first) from docs/, the notebooks, the README and the card."""
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(DOCS, src, ignore=shutil.ignore_patterns("conf.py", "__pycache__"))
    (src / "notebooks").mkdir()
    notebooks = course_notebooks()
    for notebook in notebooks:
        shutil.copy2(notebook, src / "notebooks" / notebook.name)
    shutil.copy2(DATA_CARD, src / "data-card.md")
    readme = README.read_text(encoding="utf-8")
    for target, page in README_LINKS.items():
        if f"]({target})" not in readme:
            raise SystemExit(f"README.md no longer links to {target}: update README_LINKS in {Path(__file__).name}")
        readme = readme.replace(f"]({target})", f"]({page})")
    # Files starting with "_" are only included by other pages (conf.py excludes them as pages).
    (src / "_readme.md").write_text(readme, encoding="utf-8")
    (src / "_course_map.md").write_text(course_map(notebooks), encoding="utf-8")


def build(out: Path, jobs: int = 1) -> Path:
    """Build the site into ``out`` (replaced) and return the path of its landing page.

    Raises ``subprocess.CalledProcessError`` if Sphinx reports any warning or error.
    """
    out = Path(out).resolve()
    work = out.with_name(out.name + "-work")
    stage(work / "src")
    # Sphinx writes into work/html, and myst-nb its image files next to that folder (work/jupyter_execute);
    # the finished pages then move to ``out``.
    for folder in ("html", "doctrees", "jupyter_execute"):
        shutil.rmtree(work / folder, ignore_errors=True)
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-b",
        "html",
        "-c",
        str(DOCS),
        "-d",
        str(work / "doctrees"),
        "-W",
        "--keep-going",
        "-q",
        "-j",
        str(jobs),
        str(work / "src"),
        str(work / "html"),
    ]
    subprocess.run(command, check=True, cwd=ROOT)
    shutil.rmtree(out, ignore_errors=True)
    (work / "html").rename(out)
    return out / "index.html"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site", help="output folder (default build/site)")
    parser.add_argument("--jobs", type=int, default=1, help="Sphinx processes (default 1)")
    args = parser.parse_args()
    start = time.perf_counter()
    try:
        index = build(args.out, jobs=args.jobs)
    except subprocess.CalledProcessError:
        print("make site: Sphinx reported warnings or errors (listed above); the build fails on any.", file=sys.stderr)
        return 1
    pages = [p for p in index.parent.rglob("*.html") if "_static" not in p.relative_to(index.parent).parts]
    print(f"site: {len(pages)} pages in {time.perf_counter() - start:.0f} s; open {index}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
