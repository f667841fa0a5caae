"""circom/snarkjs artefacts for the interop tests, built with the pinned npm tools.

The tools run through the benchmark's runner (protocol/bench/artefacts.py: circom2_compile,
powers_of_tau, snarkjs_witness, snarkjs_keys), so the bench and the tests build alike; a test
whose tools are absent skips. Built once into .zktrade-cache/circom/<key>/ (git-ignored), keyed
by the circuit source, its input and package-lock.json, so a second session reuses them; within
a session, once per process. Commands, for reproducing by hand (from the repository root):

  npx snarkjs powersoftau new bn128 12 pot0.ptau
  npx snarkjs powersoftau contribute pot0.ptau pot1.ptau --name=zktrade-tests -e=zktrade-tests
  npx snarkjs powersoftau prepare phase2 pot1.ptau pot12.ptau
  npx circom2 tests/fixtures/circom/merkle.circom --r1cs --wasm --O2 -l node_modules/circomlib/circuits -o OUT
  npx snarkjs wtns calculate OUT/merkle_js/merkle.wasm input.json merkle.wtns
  npx snarkjs groth16 setup merkle.r1cs pot12.ptau merkle_0.zkey
  npx snarkjs zkey contribute merkle_0.zkey merkle.zkey --name=zktrade-tests -e=zktrade-tests
  npx snarkjs zkey export verificationkey merkle.zkey verification_key.json
  npx snarkjs groth16 prove merkle.zkey merkle.wtns proof.json public.json
The full-domain ceremony case uses power 15 for the ptau and tests/fixtures/circom/full_domain.circom.
"""

import hashlib
import json
import shutil
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from protocol.bench.artefacts import (CircomFiles, circom2_compile, powers_of_tau, run_node_tool, snarkjs_keys,
                                      snarkjs_witness)

from .tools import ROOT, node_tool

CACHE = ROOT / ".zktrade-cache" / "circom"
FIXTURES = ROOT / "tests" / "fixtures" / "circom"
PTAU_POWER = 12
ENTROPY = "zktrade-tests"  # the contributions' name and entropy text

MERKLE_INPUT = {
    "secret": "12345678901234567890",
    "amount": "1000000",
    "index": "613",
    "siblings": [str(7 ** (i + 20)) for i in range(10)],
}
SMALL_INPUT = {"a": "7", "b": "200"}
# circomlib-based circuits for the witness tests: inputs as a user writes them (numbers,
# strings, nested arrays)
WITNESS_INPUTS = {
    "mimc": {"ins": ["12345678901234567890", 7], "k": "0x2a"},
    "sha256": {"in": [(0x7A6B74726164652E >> (63 - i)) & 1 for i in range(64)]},
    "pedersen_hash": {"in": [(i * 7 + 3) % 5 % 2 for i in range(64)]},
    "matrix": {"m": [[1, 2, 3, 4], ["5", "6", "7", "8"], [900, 1000, 1100, 1200]]},
}


@dataclass(frozen=True)
class Circuit(CircomFiles):
    """A fixture circuit's files (r1cs, wasm, wtns, zkey, vk_json from CircomFiles) and its input."""

    dir: Path
    name: str
    input: dict

    @property
    def directory(self) -> Path:
        return self.dir

    @property
    def stem(self) -> str:
        return self.name

    def path(self, suffix: str) -> Path:
        return self.dir / f"{self.name}{suffix}"

    @property
    def zkey_initial(self) -> Path:
        return self.path("_0.zkey")  # `snarkjs groth16 setup`: δ = γ = 1, no contribution

    @property
    def vk(self) -> Path:
        return self.vk_json

    @property
    def proof(self) -> Path:
        return self.dir / "proof.json"

    @property
    def public(self) -> Path:
        return self.dir / "public.json"


def _require_tools() -> None:
    """Skip the test (saying how to get them) unless node, circom2 and snarkjs are installed."""
    node_tool("circom2")
    node_tool("snarkjs")


def _lock_digest() -> str:
    return hashlib.sha256((ROOT / "package-lock.json").read_bytes()).hexdigest()[:16]


def _build_once(final: Path, build) -> Path:
    """Build into a fresh directory, then rename into place (a crash never leaves half a cache)."""
    if (final / "DONE").exists():
        return final
    tmp = final.with_name(f"{final.name}.tmp-{uuid.uuid4().hex[:8]}")
    tmp.mkdir(parents=True)
    try:
        build(tmp)
        (tmp / "DONE").write_text("ok\n")
        try:
            tmp.rename(final)
        except OSError:  # another pytest worker finished first: keep its copy
            if not (final / "DONE").exists():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return final


@cache
def ptau(power: int = PTAU_POWER) -> Path:
    """A phase-2-prepared powers of tau of 2^power (power 12: domains up to 4096)."""

    _require_tools()

    def build(d: Path) -> None:
        powers_of_tau(power, d / "pot.ptau", ENTROPY, timeout=900)

    return _build_once(CACHE / f"ptau{power}-{_lock_digest()}", build) / "pot.ptau"


def _compile(source: Path, d: Path) -> None:
    circom2_compile(source, d, ROOT / "node_modules" / "circomlib" / "circuits", timeout=600)


@cache
def witness_case(name: str) -> Circuit:
    """tests/fixtures/circom/NAME.circom compiled, and snarkjs's `wtns calculate` on its input."""
    source = FIXTURES / f"{name}.circom"
    inputs = WITNESS_INPUTS[name]
    key = hashlib.sha256(source.read_bytes() + json.dumps(inputs).encode()).hexdigest()[:16]
    _require_tools()

    def build(d: Path) -> None:
        c = Circuit(d, name, inputs)
        _compile(source, d)
        (d / "input.json").write_text(json.dumps(inputs))
        snarkjs_witness(c.wasm, d / "input.json", c.wtns)

    return Circuit(_build_once(CACHE / f"witness-{name}-{key}-{_lock_digest()}", build), name, inputs)


FULL_DOMAIN_POWER = 15


@cache
def full_domain() -> Circuit:
    """tests/fixtures/circom/full_domain.circom (domain 2^15) with snarkjs's setup and one
    snarkjs contribution on a power-15 ptau: the domain uses the ptau to its last point."""
    source = FIXTURES / "full_domain.circom"
    pot = ptau(FULL_DOMAIN_POWER)
    key = hashlib.sha256(source.read_bytes()).hexdigest()[:16]

    def build(d: Path) -> None:
        c = Circuit(d, "full_domain", {})
        _compile(source, d)
        snarkjs_keys(c.r1cs, pot, c.zkey_initial, c.zkey, c.vk, ENTROPY, timeout=900)

    return Circuit(_build_once(CACHE / f"full_domain-{key}-{_lock_digest()}", build), "full_domain", {})


@cache
def circuit(name: str) -> Circuit:
    """Compile tests/fixtures/circom/NAME.circom and key and prove it with snarkjs."""
    source = FIXTURES / f"{name}.circom"
    inputs = {"merkle": MERKLE_INPUT, "small": SMALL_INPUT}[name]
    pot = ptau()
    key = hashlib.sha256(source.read_bytes() + json.dumps(inputs).encode()).hexdigest()[:16]

    def build(d: Path) -> None:
        c = Circuit(d, name, inputs)
        _compile(source, d)
        (d / "input.json").write_text(json.dumps(inputs))
        snarkjs_witness(c.wasm, d / "input.json", c.wtns)
        snarkjs_keys(c.r1cs, pot, c.zkey_initial, c.zkey, c.vk, ENTROPY)
        run_node_tool("snarkjs", "groth16", "prove", str(c.zkey), str(c.wtns), str(c.proof), str(c.public), timeout=300)

    d = _build_once(CACHE / f"{name}-{key}-{_lock_digest()}", build)
    return Circuit(d, name, inputs)
