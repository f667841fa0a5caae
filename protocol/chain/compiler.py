"""Compile contracts: Solidity with the pinned solc-js (or a `solc` on PATH), Vyper in-process.

Solidity goes through the compiler's standard-JSON interface with every imported file inlined
(OpenZeppelin's from node_modules, pinned in package-lock.json), so the compiler reads nothing
from disk and the input alone decides the output. Outputs are cached in the per-user cache
directory (zk/cache.py; $ZKTRADE_CACHE overrides it) by the SHA-256 of that input plus the
compiler's identity: a second compile is a file read.
"""

import hashlib
import json
import os
import posixpath
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

from zk.cache import cache_dir as zk_cache_dir
from zk.errors import MalformedInput
from zk.jsonio import load_json, parse_json

from .errors import CompileError

EVM_VERSION = "prague"  # what the embedded chain and anvil run; solc 0.8.37 defaults to osaka
OPTIMIZER_RUNS = 200
PROJECT_ROOT = Path(__file__).resolve().parents[2]
_SOLC_JS_DRIVER = Path(__file__).with_name("solc_compile.js")
_IMPORT = re.compile(r"""^\s*import\s+(?:[^;]*?\s+from\s+)?["']([^"']+)["']""", re.MULTILINE)


@dataclass(frozen=True)
class Artifact:
    """A compiled contract: what deploying and calling it needs."""

    name: str
    abi: tuple
    bytecode: bytes  # creation code
    deployed_size: int  # runtime code size (EIP-170 limits it to 24,576 bytes)
    compiler: str


def node_modules() -> Path:
    return Path(os.environ.get("ZKTRADE_NODE_MODULES", PROJECT_ROOT / "node_modules"))


def cache_dir() -> Path:
    return zk_cache_dir()


def contract_source(name: str) -> str:
    """The text of one of our contracts, protocol/chain/contracts/NAME.sol (`devnet/TestToken`
    for one in a subfolder)."""
    path = files(__package__).joinpath("contracts")
    for part in f"{name}.sol".split("/"):
        path = path.joinpath(part)
    return path.read_text()


def _resolve_imports(sources: Mapping[str, str]) -> dict[str, str]:
    """The sources plus every file they import, transitively, keyed by import path."""
    out = dict(sources)
    pending = list(sources)
    while pending:
        unit = pending.pop()
        for target in _IMPORT.findall(out[unit]):
            key = posixpath.normpath(posixpath.join(posixpath.dirname(unit), target)) if target.startswith(".") else target
            if key in out:
                continue
            path = node_modules() / key
            if not path.is_file():
                raise CompileError(
                    f"{unit} imports {target!r}, not found at {path}: run `npm ci` in the project "
                    "(OpenZeppelin is pinned in package-lock.json)"
                )
            out[key] = path.read_text()
            pending.append(key)
    return out


def compiler_settings() -> dict:
    """The standard-JSON settings every Solidity compile uses."""
    return {
        "evmVersion": EVM_VERSION,
        "optimizer": {"enabled": True, "runs": OPTIMIZER_RUNS},
        "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}},
    }


def _standard_json(sources: Mapping[str, str]) -> dict:
    return {
        "language": "Solidity",
        "sources": {k: {"content": v} for k, v in sorted(sources.items())},
        "settings": compiler_settings(),
    }


@cache
def _solc_command(pinned: bool = False) -> tuple[tuple[str, ...], str]:
    """How to run the compiler, and its identity for the cache key; `pinned`: solc-js only."""
    binary = None if pinned else shutil.which("solc")
    if binary:
        version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
        return (binary, "--standard-json"), f"solc {version}"
    package = node_modules() / "solc" / "package.json"
    if shutil.which("node") is None or not package.is_file():
        raise CompileError(
            "no Solidity compiler: install Node.js and run `npm ci` in the project (pinned solc-js), "
            "or put a `solc` binary on PATH"
        )
    version = load_json(package, "solc's package.json").get("version", "?")
    return ("node", str(_SOLC_JS_DRIVER), str(node_modules())), f"solc-js {version}"


def _run_solc(std_input: dict, pinned: bool) -> dict:
    command, _ = _solc_command(pinned)
    proc = subprocess.run(list(command), input=json.dumps(std_input), capture_output=True, text=True)
    if proc.returncode != 0:
        raise CompileError(f"the Solidity compiler failed: {proc.stderr.strip()[:2000]}")
    result = parse_json(proc.stdout, "the Solidity compiler's output")
    return result["output"] if "output" in result else result


def _cached(path: Path) -> dict | None:
    """A cached compiler output, or None if there is none or it does not read back as one (a
    truncated or altered cache file is compiled again, never trusted)."""
    if not path.is_file():
        return None
    try:
        out = load_json(path, f"cached compiler output {path}")
    except MalformedInput:
        return None
    return out if isinstance(out, dict) else None


def compile_solidity(sources: Mapping[str, str], pinned: bool = False) -> dict[str, Artifact]:
    """Every contract defined in `sources` ({unit name: text}), by contract name.

    `pinned` insists on the pinned solc-js (what the shipped artifacts are built with) even when
    a `solc` binary is on PATH.
    """
    std_input = _standard_json(_resolve_imports(sources))
    _, compiler = _solc_command(pinned)
    key = hashlib.sha256((compiler + json.dumps(std_input, sort_keys=True)).encode()).hexdigest()
    cached = cache_dir() / "solc" / f"{key}.json"
    output = _cached(cached)
    if output is None:
        output = _run_solc(std_input, pinned)
        errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
        if errors:
            raise CompileError("Solidity compilation failed:\n" + "\n".join(e["formattedMessage"] for e in errors))
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        tmp.write_text(json.dumps(output))
        tmp.replace(cached)
    artifacts = {}
    for unit in sources:
        for name, data in output["contracts"].get(unit, {}).items():
            artifacts[name] = Artifact(
                name=name,
                abi=tuple(data["abi"]),
                bytecode=bytes.fromhex(data["evm"]["bytecode"]["object"]),
                deployed_size=len(data["evm"]["deployedBytecode"]["object"]) // 2,
                compiler=compiler,
            )
    return artifacts


def compile_contract(name: str, sources: Mapping[str, str]) -> Artifact:
    """The contract `name` out of `sources`."""
    artifacts = compile_solidity(sources)
    if name not in artifacts:
        raise CompileError(f"no contract {name!r} in the sources (found: {', '.join(sorted(artifacts))})")
    return artifacts[name]


def compile_vyper(source: str, name: str) -> Artifact:
    """A Vyper 0.4 contract, compiled in-process (cached like Solidity)."""
    import vyper

    compiler = f"vyper {vyper.__version__}"
    key = hashlib.sha256((compiler + EVM_VERSION + source).encode()).hexdigest()
    cached = cache_dir() / "vyper" / f"{key}.json"
    out = _cached(cached)
    if out is None:
        from vyper.compiler.settings import Settings

        try:
            out = vyper.compile_code(
                source,
                output_formats=["abi", "bytecode", "bytecode_runtime"],
                settings=Settings(evm_version=EVM_VERSION),
            )
        except Exception as exc:  # vyper raises many exception types; all mean "does not compile"
            raise CompileError(f"Vyper compilation of {name} failed: {exc}") from exc
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(out))
    return Artifact(
        name=name,
        abi=tuple(out["abi"]),
        bytecode=bytes.fromhex(out["bytecode"].removeprefix("0x")),
        deployed_size=len(out["bytecode_runtime"].removeprefix("0x")) // 2,
        compiler=compiler,
    )


def raw_artifact(name: str, bytecode: bytes, runtime_size: int, abi: list) -> Artifact:
    """An artifact for code assembled in Python (the on-chain Poseidon)."""
    return Artifact(name=name, abi=tuple(abi), bytecode=bytecode, deployed_size=runtime_size, compiler="zktrade")
