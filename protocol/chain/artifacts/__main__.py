"""Rebuild or check the shipped contract artifacts.

    python -m protocol.chain.artifacts build [--out DIR]   # recompile with the pinned solc-js, write NAME.json
    python -m protocol.chain.artifacts check               # exit 1 if a shipped file is stale
"""

import argparse
import sys
from pathlib import Path

from ..compiler import compile_solidity
from ..deploy import pool_sources
from ..errors import CompileError
from . import SHIPPED, load, render, sources_digest

PACKAGE_DIR = Path(__file__).parent  # where `build` writes by default: the source checkout


def build_texts() -> dict[str, str]:
    """Each shipped file's text as a fresh compile with the pinned solc-js makes it."""
    sources = pool_sources()
    compiled = compile_solidity(sources, pinned=True)
    digest = sources_digest(sources)
    return {name: render(compiled[name], digest) for name in SHIPPED}


def stale() -> list[str]:
    """The shipped artifacts whose sources changed since they were built (no compiler needed)."""
    sources = pool_sources()
    out = []
    for name in SHIPPED:
        try:
            load(name, sources)
        except CompileError:
            out.append(name)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m protocol.chain.artifacts", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="recompile with the pinned solc-js and write the artifacts")
    build.add_argument("--out", type=Path, default=PACKAGE_DIR)
    sub.add_parser("check", help="exit 1 if the sources changed since the artifacts were built")
    args = parser.parse_args(argv)
    if args.command == "build":
        args.out.mkdir(parents=True, exist_ok=True)
        for name, text in build_texts().items():
            (args.out / f"{name}.json").write_text(text)
            print(f"wrote {args.out / name}.json")
        return 0
    names = stale()
    for name in names:
        print(f"{name}.json is stale: run `python -m protocol.chain.artifacts build`")
    return 1 if names else 0


if __name__ == "__main__":
    sys.exit(main())
