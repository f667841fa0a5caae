"""The benchmark's circom artefacts, built once with the pinned tools and cached on disk.

For each size 2^k the Merkle benchmark circuit (merkle_bench.circom) gets the largest depth
whose QAP still fits a 2^k domain; circom2 compiles it (--O2 --r1cs --wasm), snarkjs computes
the witness and keys it from one powers-of-tau file (phase 2 prepared, sized for the largest
circuit asked for, at most 2^16) plus one phase-2 contribution. Above 2^16 the keys come from
our seeded dev setup written as .zkey instead: snarkjs's `powersoftau prepare phase2` takes
hours at 2^20, and every prover reads the same .zkey either way. Everything lives under
.zktrade-cache/bench/ in the project root (git-ignored); a size is rebuilt only if a file is
missing.
"""

import json
import os
import random
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from zk.errors import UserError

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".zktrade-cache" / "bench"
SOURCE = Path(__file__).with_name("merkle_bench.circom")
NODE_BIN = ROOT / "node_modules" / ".bin"

# Constraints of merkle_bench.circom at circom2 --O2: 256 for the four Num2Bits(64), and per
# level 240 (circomlib's Poseidon(2)) + 2 (the bit check and the swap). Checked after compiling.
BASE_CONSTRAINTS = 256
LEVEL_CONSTRAINTS = 242
N_PUBLIC = 1  # the root
# The largest size keyed by snarkjs (ptau, setup, one contribution); larger ones get dev keys.
SNARKJS_KEYS_MAX_LOG = 16


class BenchToolError(UserError):
    """A pinned npm tool failed or is missing."""


class CircomFiles:
    """The files circom2 and snarkjs make of one circuit in one folder, named by its stem: what
    the bench's circuits (Artefacts) and the tests' (tests/support/circom.py) both hold."""

    directory: Path
    stem: str

    @property
    def r1cs(self) -> Path:
        return self.directory / f"{self.stem}.r1cs"

    @property
    def wasm(self) -> Path:
        return self.directory / f"{self.stem}_js" / f"{self.stem}.wasm"

    @property
    def wtns(self) -> Path:
        return self.directory / f"{self.stem}.wtns"

    @property
    def zkey(self) -> Path:
        return self.directory / f"{self.stem}.zkey"

    @property
    def vk_json(self) -> Path:
        return self.directory / "verification_key.json"


@dataclass(frozen=True)
class Artefacts(CircomFiles):
    """One benchmark circuit and the files every prover reads."""

    log_size: int
    depth: int
    directory: Path
    stem: ClassVar[str] = "merkle"

    @property
    def input_json(self) -> Path:
        return self.directory / "input.json"

    @property
    def n_constraints(self) -> int:
        return BASE_CONSTRAINTS + LEVEL_CONSTRAINTS * self.depth

    @property
    def snarkjs_keys(self) -> bool:
        """Keyed by snarkjs's own setup and contribution (else by our dev setup)."""
        return self.log_size <= SNARKJS_KEYS_MAX_LOG


def depth_for(log_size: int) -> int:
    """The deepest Merkle path whose QAP rows (constraints + public inputs + 1) fit 2^log_size."""
    depth = (2**log_size - N_PUBLIC - 1 - BASE_CONSTRAINTS) // LEVEL_CONSTRAINTS
    if depth < 1:
        raise ValueError(f"2^{log_size} is too small for the benchmark circuit (at least 2^10)")
    return depth


def run_node_tool(tool: str, *args: str, cwd: Path = ROOT, timeout: float | None = None) -> str:
    """Run the pinned npm tool node_modules/.bin/TOOL under node; its stdout.

    Raises BenchToolError if node or the tool is missing, or if it fails (with the end of its
    output). The tests' circom artefacts (tests/support/circom.py) run their tools through this too."""
    path = NODE_BIN / tool
    if shutil.which("node") is None or not path.exists():
        raise BenchToolError(f"{path} (or node) is missing: run `make bench` (it runs `npm ci`)")
    try:
        done = subprocess.run(
            ["node", str(path), *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "NODE_OPTIONS": "--max-old-space-size=8192"},
        )
    except subprocess.TimeoutExpired:
        raise BenchToolError(f"{tool} {' '.join(args[:2])} did not finish in {timeout:g} s") from None
    if done.returncode != 0:
        raise BenchToolError(f"{tool} {' '.join(args[:2])} failed: {(done.stderr or done.stdout).strip()[-400:]}")
    return done.stdout


def circom2_compile(source: Path, out_dir: Path, library: Path, timeout: float | None = None) -> str:
    """circom2 --O2 --r1cs --wasm of `source` into `out_dir`, includes from `library`; its report.

    circom2 runs under WASI with the working directory as its only visible tree, so every path
    must lie inside the project root and is passed relative to it."""
    rel = []
    for p in (source, library, out_dir):
        if not Path(p).resolve().is_relative_to(ROOT):
            raise BenchToolError(f"circom2 sees only the project tree {ROOT}: {p} is outside it (copy it below)")
        rel.append(str(Path(p).resolve().relative_to(ROOT)))
    return run_node_tool("circom2", rel[0], "--O2", "--r1cs", "--wasm", "-l", rel[1], "-o", rel[2], timeout=timeout)


def powers_of_tau(power: int, out: Path, entropy: str, timeout: float | None = None) -> Path:
    """A phase-2-prepared powers of tau of 2^power at `out` (snarkjs: new, one contribution,
    prepare phase2); the intermediate files, written beside it, are removed."""
    first, second, final = (out.with_name(f"{out.stem}_{s}.ptau") for s in ("0", "1", "tmp"))
    run_node_tool("snarkjs", "powersoftau", "new", "bn128", str(power), str(first), timeout=timeout)
    run_node_tool("snarkjs", "powersoftau", "contribute", str(first), str(second), f"--name={entropy}",
                  f"-e={entropy}", timeout=timeout)
    run_node_tool("snarkjs", "powersoftau", "prepare", "phase2", str(second), str(final), timeout=timeout)
    first.unlink()
    second.unlink()
    return final.rename(out)


def snarkjs_witness(wasm: Path, input_json: Path, wtns: Path) -> None:
    """snarkjs wtns calculate: circom's witness program run on an input file."""
    run_node_tool("snarkjs", "wtns", "calculate", str(wasm), str(input_json), str(wtns))


def snarkjs_keys(r1cs: Path, ptau: Path, initial_zkey: Path, zkey: Path, vk_json: Path, entropy: str,
                 timeout: float | None = None) -> None:
    """snarkjs's Groth16 setup (`initial_zkey`: δ = γ = 1), one phase-2 contribution (`zkey`)
    and the verification key exported from it."""
    run_node_tool("snarkjs", "groth16", "setup", str(r1cs), str(ptau), str(initial_zkey), timeout=timeout)
    run_node_tool("snarkjs", "zkey", "contribute", str(initial_zkey), str(zkey), f"--name={entropy}",
                  f"-e={entropy}", timeout=timeout)
    run_node_tool("snarkjs", "zkey", "export", "verificationkey", str(zkey), str(vk_json), timeout=timeout)


def _ptau(power: int, progress: Callable[[str], None]) -> Path:
    """A prepared powers-of-tau file of at least 2^power (any larger cached one will do)."""
    for p in range(power, 29):
        if (CACHE / f"pot{p}.ptau").exists():
            return CACHE / f"pot{p}.ptau"
    progress(f"powers of tau 2^{power} (snarkjs; once)")
    return powers_of_tau(power, CACHE / f"pot{power}.ptau", "zktrade bench")


def bench_input(depth: int) -> dict:
    """A deterministic input: random siblings and path bits, four 64-bit amounts."""
    rng = random.Random(depth)
    return {
        "leaf": str(rng.randrange(2**250)),
        "siblings": [str(rng.randrange(2**250)) for _ in range(depth)],
        "path_bits": [str(rng.randrange(2)) for _ in range(depth)],
        "amounts": [str(rng.randrange(2**64)) for _ in range(4)],
    }


def compile_circuit(log_size: int, progress: Callable[[str], None]) -> Artefacts:
    """The 2^log_size circuit compiled by circom2 and its witness from snarkjs (cached)."""
    depth = depth_for(log_size)
    art = Artefacts(log_size, depth, CACHE / f"merkle_2^{log_size}")
    if all(p.exists() for p in (art.r1cs, art.wasm, art.wtns)):
        return art
    art.directory.mkdir(parents=True, exist_ok=True)
    progress(f"2^{log_size}: compiling depth {depth} with circom2")
    source = art.directory / "merkle.circom"
    source.write_text(SOURCE.read_text().replace("MerkleBench(DEPTH)", f"MerkleBench({depth})"))
    out = circom2_compile(source, art.directory, ROOT / "node_modules")
    if f"non-linear constraints: {art.n_constraints}" not in out:
        raise BenchToolError(f"expected {art.n_constraints} constraints at depth {depth}; circom2 said:\n{out}")
    art.input_json.write_text(json.dumps(bench_input(depth)))
    progress(f"2^{log_size}: witness with snarkjs")
    snarkjs_witness(art.wasm, art.input_json, art.wtns)
    return art


def _dev_keys(art: Artefacts, progress: Callable[[str], None]) -> None:
    """Seeded single-party keys from our setup, written as .zkey and verification_key.json."""
    from zk.circom.setup import MPC_PARAMS_WITHOUT_TRANSCRIPT
    from zk.formats.r1cs_bin import read_r1cs
    from zk.formats.snarkjs_json import vk_to_json, write_json
    from zk.formats.zkey import write_zkey, zkey_from_proving_key
    from zk.groth16 import setup

    progress(f"2^{art.log_size}: Groth16 dev keys with our setup (seeded), as .zkey")
    r1cs = read_r1cs(art.r1cs).r1cs
    zkey = zkey_from_proving_key(setup(r1cs, seed=art.log_size), r1cs, MPC_PARAMS_WITHOUT_TRANSCRIPT)
    write_zkey(art.zkey, zkey)
    write_json(art.vk_json, vk_to_json(zkey.proving_key.vk))


def build(log_size: int, max_log_size: int, progress: Callable[[str], None]) -> Artefacts:
    """Compile, witness and key the 2^log_size circuit unless its files are already cached."""
    art = compile_circuit(log_size, progress)
    if art.zkey.exists() and art.vk_json.exists():
        return art
    if not art.snarkjs_keys:
        _dev_keys(art, progress)
        return art
    ptau = _ptau(min(max_log_size, SNARKJS_KEYS_MAX_LOG), progress)
    progress(f"2^{log_size}: Groth16 keys with snarkjs")
    zkey0 = art.directory / "merkle_0.zkey"
    snarkjs_keys(art.r1cs, ptau, zkey0, art.zkey, art.vk_json, "zktrade bench")
    zkey0.unlink()
    return art
