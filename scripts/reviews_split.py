"""Split the bundled reviews into train / validation / test by whole groups of related rows.

    python scripts/reviews_split.py [--add NEW.csv ...] [--version 2.0]

Reads every row of the three split files (and of each ``--add`` file: columns ``text``, ``label``,
``domain``; new rows get the next free ids, in a seeded shuffled order), then:

1. groups rows that are near-duplicates (word 3-gram Jaccard ≥ ``card.MAX_JACCARD``) or share a
   run of six words (a persona, an opening, a frame), so a family of related rows never straddles
   two splits;
2. splits each domain × label cell 70 / 15 / 15 by whole groups, largest first, with a fixed seed;
3. writes the three CSV files (rows in id order) and their SHA-256 in ``MANIFEST.json``.

The result depends only on the set of rows, not on which file a row was in: run on its own output
it writes the same files. ``tests/test_data.py`` checks the grouping holds in the committed files.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from collections import Counter, defaultdict
from pathlib import Path

from hfnotes.data import DOMAINS, LABELS, MANIFEST, REVIEWS_DIR, SPLITS
from hfnotes.data.card import close_pairs, normalize
from hfnotes.integrity import sha256_file

SHARES = {"train": 0.70, "validation": 0.15, "test": 0.15}
SEED = 2024
RUN = 6
"""Rows sharing a run of this many words are grouped together."""


def read_rows(folder: Path) -> list[dict[str, str]]:
    rows = []
    for split in SPLITS:
        with open(folder / f"{split}.csv", newline="", encoding="utf-8") as f:
            rows += list(csv.DictReader(f))
    return rows


def add_rows(rows: list[dict[str, str]], paths: list[Path]) -> list[dict[str, str]]:
    """New rows from ``paths``, checked, with ids after the largest existing one."""
    new = []
    for path in paths:
        with open(path, newline="", encoding="utf-8") as f:
            for line, row in enumerate(csv.DictReader(f), start=2):
                text = " ".join(row["text"].split())
                if row["label"] not in LABELS or row["domain"] not in DOMAINS or len(text.split()) < 3:
                    raise SystemExit(f"{path}:{line}: needs a label in {LABELS}, a domain in {DOMAINS} and 3+ words")
                new.append({"text": text, "label": row["label"], "domain": row["domain"]})
    random.Random(SEED).shuffle(new)
    start = max(int(r["id"][2:]) for r in rows) + 1
    for offset, row in enumerate(new):
        row["id"] = f"rv{start + offset:05d}"
    return new


def groups(rows: list[dict[str, str]]) -> list[list[int]]:
    """Indices of ``rows`` joined by near-duplicates or a shared run of :data:`RUN` words."""
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int) -> None:
        parent[find(j)] = find(i)

    for i, j, _ in close_pairs([r["text"] for r in rows]):
        join(i, j)
    seen: dict[tuple[str, ...], int] = {}
    for i, row in enumerate(rows):
        words = normalize(row["text"]).split()
        for k in range(len(words) - RUN + 1):
            run = tuple(words[k : k + RUN])
            if run in seen:
                join(seen[run], i)
            else:
                seen[run] = i
    members = defaultdict(list)
    for i in range(len(rows)):
        members[find(i)].append(i)
    return list(members.values())


def assign(rows: list[dict[str, str]], families: list[list[int]]) -> dict[str, list[int]]:
    """Each family to one split, so every domain × label cell is split 70 / 15 / 15."""
    cells = defaultdict(list)
    for family in families:
        first = rows[min(family, key=lambda i: rows[i]["id"])]
        cells[(first["domain"], first["label"])].append(sorted(family))
    rng = random.Random(SEED)
    splits: dict[str, list[int]] = {s: [] for s in SPLITS}
    for cell in sorted(cells):
        fams = sorted(cells[cell], key=lambda f: rows[f[0]]["id"])
        rng.shuffle(fams)
        fams.sort(key=len, reverse=True)  # stable: big families first, the rest in shuffled order
        size = sum(map(len, fams))
        count = Counter()
        for family in fams:
            split = max(SPLITS, key=lambda s: SHARES[s] * size - count[s])
            count[split] += len(family)
            splits[split] += family
    return splits


def write(rows: list[dict[str, str]], splits: dict[str, list[int]], folder: Path, version: str) -> None:
    manifest_path = folder / MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for split, members in splits.items():
        path = folder / f"{split}.csv"
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(["id", "text", "label", "domain"])
            for i in sorted(members, key=lambda i: rows[i]["id"]):
                writer.writerow([rows[i][k] for k in ("id", "text", "label", "domain")])
        tmp.replace(path)
        manifest["files"][f"{split}.csv"] = sha256_file(path)
    manifest["version"] = version
    tmp = manifest_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(manifest_path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--add", type=Path, nargs="*", default=[], help="CSV files of new rows (text,label,domain)")
    parser.add_argument("--folder", type=Path, default=REVIEWS_DIR)
    parser.add_argument("--version", help="the dataset version to record (default: unchanged)")
    args = parser.parse_args()
    rows = read_rows(args.folder)
    rows += add_rows(rows, args.add)
    rows.sort(key=lambda r: r["id"])
    families = groups(rows)
    splits = assign(rows, families)
    version = args.version or json.loads((args.folder / MANIFEST).read_text(encoding="utf-8"))["version"]
    write(rows, splits, args.folder, version)
    biggest = max(map(len, families))
    print(
        f"{len(rows)} rows in {len(families)} groups (largest {biggest}): "
        + ", ".join(f"{s} {len(m)}" for s, m in splits.items())
    )


if __name__ == "__main__":
    main()
