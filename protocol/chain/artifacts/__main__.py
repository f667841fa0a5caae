"""Rebuild or check the shipped contract artifacts.

    python -m protocol.chain.artifacts build [--out DIR]   # recompile with the pinned solc-js, write the files
    python -m protocol.chain.artifacts check               # exit 1 if a shipped file is stale
"""

import argparse
import sys
from pathlib import Path

from ..compiler import compile_solidity
from ..deploy import artifact_sources
from ..errors import CompileError
from . import SHIPPED, load, render, sources_digest

PACKAGE_DIR = Path(__file__).parent  # where `build` writes by default: the source checkout


def build_texts() -> dict[str, str]:
    """Each shipped file's text as a fresh compile of its sources with the pinned solc-js makes it."""
    texts = {}
    for name in SHIPPED:
        sources = artifact_sources(name)
        texts[name] = render(compile_solidity(sources, pinned=True)[name], sources_digest(sources))
    return texts


def stale() -> list[str]:
    """The shipped artifacts whose sources changed since they were built (no compiler needed)."""
    out = []
    for name in SHIPPED:
        try:
            load(name, artifact_sources(name))
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
        for name, text in build_texts().items():
            path = args.out / SHIPPED[name]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"wrote {path}")
        return 0
    names = stale()
    for name in names:
        print(f"{SHIPPED[name]} is stale: run `python -m protocol.chain.artifacts build`")
    return 1 if names else 0


if __name__ == "__main__":
    sys.exit(main())
