"""Command line: ``hfnotes doctor | assets list|verify|build | run``.

Examples::

    hfnotes doctor                     # is this machine ready?
    hfnotes assets list                # the named models and datasets
    hfnotes assets build               # build the course models now (quietly)
    hfnotes run notebooks --out build  # execute every notebook headless
"""

from __future__ import annotations

import argparse
import sys

from . import assets, config
from .doctor import doctor
from .errors import HfnotesError, InputError
from .runner import format_results, run_notebooks

__all__ = ["main", "build_parser"]


def _cmd_doctor(args: argparse.Namespace) -> int:
    report = doctor()
    print(report)
    return 0 if report.ok else 1


def _cmd_assets(args: argparse.Namespace) -> int:
    names = args.names or list(assets.REGISTRY)
    for name in names:
        if name not in assets.REGISTRY:
            raise InputError(f"Unknown asset {name!r}. Known assets: {', '.join(assets.REGISTRY)}.")
    if args.action == "list":
        for name in names:
            asset = assets.REGISTRY[name]
            print(f"{name:<16} {asset.description}\n{'':<16} hub: {asset.hub_id}")
        return 0
    failed = 0
    for name in names:
        try:
            if args.action == "verify":
                path = assets.verify(name)
            else:
                path = assets.build(name, force=args.force)
            print(f"{name:<16} ok  {path}")
        except HfnotesError as exc:
            failed += 1
            print(f"{name:<16} BAD {exc}")
    return 1 if failed else 0


def _cmd_run(args: argparse.Namespace) -> int:
    results = run_notebooks(args.paths, out_dir=args.out, in_place=args.in_place, timeout=args.timeout, jobs=args.jobs)
    print(format_results(results))
    if not args.in_place:
        print(f"executed notebooks and HTML pages: {args.out}/")
    return 0 if all(r.status == "ok" for r in results) else 1


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``hfnotes`` command."""
    parser = argparse.ArgumentParser(prog="hfnotes", description="Helpers for the hfnotes course.")
    sub = parser.add_subparsers(dest="command", required=True)

    doctor = sub.add_parser("doctor", help="check versions, hardware, source, cache and bundled assets")
    doctor.set_defaults(func=_cmd_doctor)

    assets = sub.add_parser("assets", help="list, verify or build the course's models and datasets")
    assets.add_argument("action", choices=["list", "verify", "build"])
    assets.add_argument("names", nargs="*", help="asset names (default: all)")
    assets.add_argument("--force", action="store_true", help="with build: rebuild even when cached")
    assets.set_defaults(func=_cmd_assets)

    run = sub.add_parser("run", help="execute notebooks headless (what `make course` does)")
    run.add_argument("paths", nargs="*", default=["notebooks"], help="notebooks or folders (default: notebooks)")
    run.add_argument("--out", default="build", help="folder for executed .ipynb and .html (default: build)")
    run.add_argument("--in-place", action="store_true", help="save outputs back into the notebooks instead")
    run.add_argument("--timeout", type=int, default=900, help="seconds one cell may take (default: 900)")
    run.add_argument(
        "--jobs", type=int, default=1, help="notebooks run at a time, one compute thread each (default: 1)"
    )
    run.set_defaults(func=_cmd_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``hfnotes`` and ``python -m hfnotes``; returns the exit code."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # argparse stops collecting names at a flag: `assets build --force sentiment_model`
        if args.command != "assets" or any(item.startswith("-") for item in extra):
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        args.names = [*args.names, *extra]
    try:
        config.source()
        return args.func(args)
    except HfnotesError as exc:
        print(f"hfnotes: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
