"""Timings of Groth16 verification and of the embedded chain's pairing precompile.

* in-process: `verify_proof` on one proof and `batch_verify` on 64 proofs of the benchmark
  circuit, the key prepared once (as the matcher holds it), on the selected backend (fast) and,
  for one proof, on the pure-Python pairing (the `python` backend `zktrade verify` uses) and on
  the reference backend (py_ecc);
* whole process: `zktrade verify` beside `snarkjs groth16 verify` on the same
  verification_key.json, proof.json and public.json (start-up included, as users run them);
* the ecPairing precompile (4 pairs, the size of a Groth16 verifier's call) through eth_call on
  the embedded chain, whose precompiles take the fast path, beside py-evm's own.
Each figure is the median of `repeats` runs (the reference ones of fewer: each costs ~1 s).
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from zk.circom.prover import create_proof_from_zkey
from zk.curve import G1_GENERATOR, G2_GENERATOR, g1_mul, g1_neg, g2_mul
from zk.formats.snarkjs_json import proof_to_json, public_to_json
from zk.formats.wtns import read_wtns
from zk.formats.zkey import read_zkey
from zk.groth16 import batch_verify, prepare_verifying_key, verify_proof

from .artefacts import NODE_BIN, ROOT, Artefacts
from .measure import median_seconds

BATCH = 64
REFERENCE_REPEATS = 3


@dataclass(frozen=True)
class VerifyTimings:
    """Medians in seconds."""

    single: float
    single_python: float
    single_reference: float
    batch_per_proof: float
    process_ours: float
    process_snarkjs: float | None
    precompile_fast: float
    precompile_py_evm: float


def _on_backend(name: str, run: Callable[[], float]) -> float:
    saved = os.environ.get("ZKTRADE_BACKEND")
    os.environ["ZKTRADE_BACKEND"] = name
    try:
        return run()
    finally:
        if saved is None:
            del os.environ["ZKTRADE_BACKEND"]
        else:
            os.environ["ZKTRADE_BACKEND"] = saved


def time_in_process(art: Artefacts, repeats: int) -> tuple[float, float, float, float]:
    """(single verify, single verify on the pure-Python pairing, on py_ecc, batch of 64 per proof)."""
    zkey = read_zkey(art.zkey)
    witness = read_wtns(art.wtns)
    vk = zkey.proving_key.vk
    public = witness[1 : vk.n_public + 1]
    items = [(create_proof_from_zkey(zkey, witness, i + 1, i + 2), public) for i in range(BATCH)]
    proof = items[0][0]
    pvk = prepare_verifying_key(vk)
    if not (verify_proof(pvk, proof, public) and batch_verify(pvk, items)):
        raise AssertionError("the benchmark's proofs do not verify: the pairing is broken")
    single = median_seconds(lambda: verify_proof(pvk, proof, public), max(repeats, 20))
    batch = median_seconds(lambda: batch_verify(pvk, items), repeats) / BATCH

    def on_its_own_key(n: int) -> Callable[[], float]:
        def run() -> float:
            own_pvk = prepare_verifying_key(vk)  # the lines, if any, of the backend in use
            return median_seconds(lambda: verify_proof(own_pvk, proof, public), n)

        return run

    python = _on_backend("python", on_its_own_key(max(repeats, 5)))
    return single, python, _on_backend("reference", on_its_own_key(REFERENCE_REPEATS)), batch


def time_processes(art: Artefacts, repeats: int) -> tuple[float, float | None]:
    """`zktrade verify` and `snarkjs groth16 verify` as whole processes (snarkjs: None if missing)."""
    zkey = read_zkey(art.zkey)
    witness = read_wtns(art.wtns)
    proof = create_proof_from_zkey(zkey, witness, 3, 5)
    with tempfile.TemporaryDirectory() as tmp:
        proof_path, public_path = Path(tmp) / "proof.json", Path(tmp) / "public.json"
        proof_path.write_text(json.dumps(proof_to_json(proof)))
        public_path.write_text(json.dumps(public_to_json(witness[1 : zkey.proving_key.vk.n_public + 1])))
        ours = [sys.executable, "-m", "protocol.cli", "verify", "--vk", str(art.vk_json),
                "--proof", str(proof_path), "--public", str(public_path)]
        snarkjs = NODE_BIN / "snarkjs"
        theirs = ["node", str(snarkjs), "groth16", "verify", str(art.vk_json), str(public_path), str(proof_path)]
        env = {k: v for k, v in os.environ.items() if k != "ZKTRADE_BACKEND"}  # the command's own choice

        def run(command: list[str]) -> float:
            start = time.perf_counter()
            subprocess.run(command, cwd=ROOT, check=True, capture_output=True, env=env)
            return time.perf_counter() - start

        # Alternating, so that a change in the machine's load falls on both.
        samples: dict[str, list[float]] = {"ours": [], "theirs": []}
        for _ in range(max(repeats, 5)):
            samples["ours"].append(run(ours))
            if snarkjs.exists():
                samples["theirs"].append(run(theirs))
        return statistics.median(samples["ours"]), statistics.median(samples["theirs"]) if samples["theirs"] else None


def _pairing_input() -> bytes:
    """Four pairs whose product is one: e(aP, Q)·e(−aP, Q)·e(bP, cQ)·e(−bcP, Q)."""
    pairs = [
        (g1_mul(G1_GENERATOR, 5), G2_GENERATOR),
        (g1_neg(g1_mul(G1_GENERATOR, 5)), G2_GENERATOR),
        (g1_mul(G1_GENERATOR, 7), g2_mul(G2_GENERATOR, 11)),
        (g1_neg(g1_mul(G1_GENERATOR, 77)), G2_GENERATOR),
    ]
    words = []
    for (x, y), ((x0, x1), (y0, y1)) in pairs:
        words += [x, y, x1, x0, y1, y0]  # EIP-197: imaginary part first
    return b"".join(w.to_bytes(32, "big") for w in words)


def time_precompile(repeats: int) -> tuple[float, float]:
    """A 4-pair ecPairing eth_call: the embedded chain (fast path) and py-evm's unmodified VM."""
    from web3 import EthereumTesterProvider, Web3

    from protocol.chain.client import Chain

    call = {"to": "0x0000000000000000000000000000000000000008", "data": _pairing_input(), "gas": 500_000}
    medians = []
    for w3, n in ((Chain.embedded_chain().w3, repeats), (Web3(EthereumTesterProvider()), REFERENCE_REPEATS)):
        if int.from_bytes(w3.eth.call(call), "big") != 1:
            raise AssertionError("the pairing precompile rejected a product equal to one")
        medians.append(median_seconds(lambda: w3.eth.call(call), n))
    return medians[0], medians[1]


def measure_verify(art: Artefacts, repeats: int, progress: Callable[[str], None]) -> VerifyTimings:
    progress(f"verify: in-process, one proof and a batch of {BATCH} (2^{art.log_size} circuit)")
    single, single_python, single_reference, batch = time_in_process(art, repeats)
    progress("verify: zktrade verify and snarkjs groth16 verify as processes")
    process_ours, process_snarkjs = time_processes(art, repeats)
    progress("verify: the ecPairing precompile on the embedded chain and on py-evm's")
    precompile_fast, precompile_py_evm = time_precompile(repeats)
    return VerifyTimings(single, single_python, single_reference, batch, process_ours, process_snarkjs, precompile_fast, precompile_py_evm)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1e3:.2f}"


def verify_rows(t: VerifyTimings) -> list[tuple[str, str]]:
    return [
        ("verify one proof, in-process (fast)", _ms(t.single)),
        ("verify one proof, in-process (pure-Python pairing, as zktrade verify)", _ms(t.single_python)),
        ("verify one proof, in-process (py_ecc reference)", _ms(t.single_reference)),
        (f"batch_verify, {BATCH} proofs, per proof", _ms(t.batch_per_proof)),
        ("zktrade verify (process)", _ms(t.process_ours)),
        ("snarkjs groth16 verify (process)", _ms(t.process_snarkjs)),
        ("zktrade / snarkjs (process)", "-" if t.process_snarkjs is None else f"{t.process_ours / t.process_snarkjs:.2f}×"),
        ("ecPairing, 4 pairs, eth_call: embedded chain", _ms(t.precompile_fast)),
        ("ecPairing, 4 pairs, eth_call: py-evm's own", _ms(t.precompile_py_evm)),
    ]


def verify_table(t: VerifyTimings):
    from rich.table import Table

    table = Table(title="Groth16 verify and the pairing precompile, milliseconds (medians)")
    table.add_column("", no_wrap=True)
    table.add_column("ms", justify="right")
    for label, value in verify_rows(t):
        table.add_row(label, value)
    return table


def verify_markdown(t: VerifyTimings) -> str:
    lines = ["", "| milliseconds (medians) | |", "|---|---|"]
    lines += [f"| {label} | {value} |" for label, value in verify_rows(t)]
    return "\n".join(lines) + "\n"
