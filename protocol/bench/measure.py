"""Timings of three Groth16 provers on the same .zkey and .wtns: ours, snarkjs and groth16py.

* ours, in-process, key loaded and converted once (as a long-running prover holds it): the
  phases (witness file, QAP rows, the NTTs of H, each of the five MSMs) from the building
  blocks of zk/circom/prover.py, and the total from `create_proof_from_zkey` itself plus the
  witness file.
* snarkjs: `snarkjs groth16 prove` as a whole process (node start-up included), as users run it.
* groth16py (arkworks, Rust): `prove_wtns` in-process on a key imported once; None when the
  `bench` extra is not installed. It is imported here only, never by the library.
Each figure is the median of `repeats` runs.
"""

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from zk.backends import get_backend
from zk.circom.prover import check_witness_for_zkey, create_proof_from_zkey, zkey_rows
from zk.domain import Domain
from zk.formats.wtns import read_wtns
from zk.formats.zkey import read_zkey
from zk.groth16 import prepare_verifying_key, verify_proof
from zk.groth16.prover import _prepared
from zk.qap import CircomReduction

from .artefacts import NODE_BIN, ROOT, Artefacts

MSM_PHASES = (
    ("MSM A (G1)", "a_query"),
    ("MSM B (G2)", "b_g2_query"),
    ("MSM B (G1)", "b_g1_query"),
    ("MSM C (G1)", "l_query"),
    ("MSM H (G1)", "h_query"),
)


@dataclass(frozen=True)
class Timings:
    """Medians in seconds for one circuit size."""

    log_size: int
    n_constraints: int
    key_load: float  # read_zkey + first conversion of the bases (once per key)
    peak_rss_mb: float  # this process's peak resident memory so far (sizes run in increasing order)
    phases: dict[str, float]
    ours: float
    snarkjs: float | None
    groth16py: float | None
    contribute: float  # one phase-2 ceremony contribution to the same .zkey (read, contribute, write)
    snarkjs_contribute: float | None


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def time_ours(art: Artefacts, repeats: int) -> tuple[float, dict[str, float], float]:
    """(key load + conversion, phase medians, total median) for our prover."""
    backend = get_backend()
    start = time.perf_counter()
    zkey = read_zkey(art.zkey)
    pk = zkey.proving_key
    for _, query in MSM_PHASES:
        _prepared(pk, backend, query)
    key_load = time.perf_counter() - start

    witness = read_wtns(art.wtns)
    check_witness_for_zkey(zkey, witness)
    proof = create_proof_from_zkey(zkey, witness, 3, 5)
    public = witness[1 : pk.n_public + 1]
    if not verify_proof(prepare_verifying_key(pk.vk), proof, public):
        raise AssertionError(f"our proof for 2^{art.log_size} does not verify: the backend {backend.name} is broken")

    domain = Domain(zkey.domain_size)
    rows = zkey_rows(zkey, witness)
    h = CircomReduction.h_from_rows(domain, rows)
    scalars = {query: witness for _, query in MSM_PHASES}
    scalars["l_query"] = witness[pk.n_public + 1 :]
    scalars["h_query"] = h
    phases = {
        "witness (.wtns)": median_seconds(lambda: read_wtns(art.wtns), repeats),
        "QAP rows": median_seconds(lambda: zkey_rows(zkey, witness), repeats),
        "NTTs (H)": median_seconds(lambda: CircomReduction.h_from_rows(domain, rows), repeats),
    }
    for label, query in MSM_PHASES:
        msm = backend.msm_g2 if query == "b_g2_query" else backend.msm_g1
        prepared = _prepared(pk, backend, query)
        phases[label] = median_seconds(lambda: msm(prepared, scalars[query]), repeats)

    def prove() -> None:
        create_proof_from_zkey(zkey, read_wtns(art.wtns), 3, 5)

    return key_load, phases, median_seconds(prove, repeats)


def time_snarkjs(art: Artefacts, repeats: int) -> float | None:
    """`snarkjs groth16 prove` as a whole process; None if node or snarkjs is missing."""
    snarkjs = NODE_BIN / "snarkjs"
    if not snarkjs.exists():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ["node", str(snarkjs), "groth16", "prove", str(art.zkey), str(art.wtns),
               str(Path(tmp) / "proof.json"), str(Path(tmp) / "public.json")]

        def prove() -> None:
            subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)

        return median_seconds(prove, repeats)


def time_groth16py(art: Artefacts, repeats: int) -> float | None:
    """groth16py's `prove_wtns` on the same files, key imported once; None if not installed."""
    try:
        import groth16py
    except ImportError:
        return None
    pk, _ = groth16py.import_zkey(str(art.zkey))
    return median_seconds(lambda: groth16py.prove_wtns(pk, str(art.wtns)), repeats)


def time_contribute(art: Artefacts, repeats: int) -> tuple[float, float | None]:
    """A phase-2 contribution to the benchmark's .zkey: ours in-process (read, contribute, write)
    and `snarkjs zkey contribute` as a whole process (None if snarkjs is missing)."""
    from zk.ceremony.phase2 import contribute, entropy_rng
    from zk.formats.zkey import write_zkey

    snarkjs = NODE_BIN / "snarkjs"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "next.zkey"
        ours = median_seconds(lambda: write_zkey(out, contribute(read_zkey(art.zkey), entropy_rng(b"bench"))[0]), repeats)
        if not snarkjs.exists():
            return ours, None
        cmd = ["node", str(snarkjs), "zkey", "contribute", str(art.zkey), str(out), "-e=bench"]
        return ours, median_seconds(lambda: subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True), repeats)


def cold_start_seconds() -> tuple[float, float]:
    """(compile, load) wall time of the fast kernels in a fresh process: once with an empty
    numba cache directory (the first run on a machine), once with the real cache."""
    code = "import time; t = time.perf_counter(); from zk.backends import fast; fast.warmup(); print(time.perf_counter() - t)"

    def run(env: dict) -> float:
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                             capture_output=True, text=True)
        return float(out.stdout.strip().splitlines()[-1])

    with tempfile.TemporaryDirectory() as tmp:
        compile_seconds = run({**os.environ, "NUMBA_CACHE_DIR": tmp})
    return compile_seconds, run(dict(os.environ))


def measure(art: Artefacts, repeats: int, progress: Callable[[str], None]) -> Timings:
    progress(f"2^{art.log_size}: our prover")
    key_load, phases, ours = time_ours(art, repeats)
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    progress(f"2^{art.log_size}: snarkjs")
    snarkjs = time_snarkjs(art, repeats)
    progress(f"2^{art.log_size}: groth16py")
    groth16py = time_groth16py(art, repeats)
    progress(f"2^{art.log_size}: ceremony contribution, ours and snarkjs")
    contribute, snarkjs_contribute = time_contribute(art, repeats)
    return Timings(art.log_size, art.n_constraints, key_load, peak_rss_mb, phases, ours, snarkjs, groth16py,
                   contribute, snarkjs_contribute)
