"""Recompute the reviews data card's numbers from the bundled files.

python scripts/reviews_card.py            # print the generated section
python scripts/reviews_card.py --write    # write it into data/reviews/README.md
python scripts/reviews_card.py --check    # exit 1 if the card is out of date
python scripts/reviews_card.py --write-manifest   # refresh MANIFEST.json after editing a CSV
"""

from __future__ import annotations

import argparse
import json
import sys

import hfnotes
from hfnotes import assets, data
from hfnotes.data import card


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true")
    group.add_argument("--check", action="store_true")
    group.add_argument("--write-manifest", action="store_true")
    args = parser.parse_args()

    if args.write_manifest:
        path = data.REVIEWS_DIR / data.MANIFEST
        manifest = json.loads(path.read_text(encoding="utf-8"))
        manifest["files"] = {f"{s}.csv": assets.sha256_file(data.REVIEWS_DIR / f"{s}.csv") for s in data.SPLITS}
        # Kept apart from "files", which data_version() (the checkpoint's key) fingerprints.
        manifest[data.CHALLENGE_KEY] = {data.CHALLENGE_FILE: assets.sha256_file(data.REVIEWS_DIR / data.CHALLENGE_FILE)}
        path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path}")
        return 0

    hfnotes.setup()
    from transformers import AutoTokenizer

    section = card.render(
        data.load_reviews(),
        AutoTokenizer.from_pretrained(assets.base_model()),
        data.load_challenge(),
        card.checkpoint_scores(),
    )
    text = card.card_path().read_text(encoding="utf-8")
    if args.check:
        if card.card_section(text) != section:
            print("the data card is out of date: run python scripts/reviews_card.py --write", file=sys.stderr)
            return 1
        print("data card matches the files")
    elif args.write:
        card.card_path().write_text(card.replace_section(text, section), encoding="utf-8")
        print(f"wrote {card.card_path()}")
    else:
        print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
