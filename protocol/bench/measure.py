"""Timings of three Groth16 provers on the same .zkey and .wtns: ours, snarkjs and groth16py.

* ours, in-process, key loaded and converted once (as a long-running prover holds it): the
  phases (witness file, QAP rows, the NTTs of H, each of the five MSMs) from the building
  blocks of zk/circom/prover.py, and the total from `create_proof_from_zkey` itself plus the
  witness file.
* ours as a whole process: `zktrade circom prove` from the same files, as users run it, with
  the parts of its time (start-up and imports, the steps it reports, the rest).
* snarkjs: `snarkjs groth16 prove` as a whole process (node start-up included), as users run it.
* groth16py (arkworks, Rust): `prove_wtns` in-process on a key imported once; None when the
  `bench` extra is not installed. It is imported here only, never by the library.
* peak memory: the peak resident set of one process per prover (ours: `zktrade circom prove`;
  groth16py: a process importing the key and proving once), from the kernel's rusage.
Each figure is the median of `repeats` runs.
"""

import importlib.util
import os
import re
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

from .artefacts import NODE_BIN, ROOT, Artefacts, BenchToolError

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
    phases: dict[str, float]
    ours: float
    ours_process: float  # `zktrade circom prove` as a whole process
    process_parts: dict[str, float]  # start-up, the steps the command reports, the rest
    snarkjs: float | None
    groth16py: float | None
    peak_mb: dict[str, float | None]  # peak resident memory of one process, per prover
    contribute: float | None  # one phase-2 contribution (read, contribute, write); snarkjs keys only
    snarkjs_contribute: float | None


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


# A fork inherits the parent's resident pages until it execs, and ru_maxrss counts them: a bench
# or test process of ~1 GB would make every child look ~1 GB. So each command runs under this
# small, freshly exec'd wrapper, which times and waits for it and prints (seconds, peak KiB, rc).
_WRAPPER = (
    "import os, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "_, status, usage = os.wait4(child.pid, 0)\n"
    "print(time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status))\n"
)


def run_process(cmd: list[str]) -> tuple[float, float, str]:
    """(wall seconds, peak resident MB, stderr) of one process run to completion."""
    with tempfile.TemporaryFile("w+") as err:
        done = subprocess.run([sys.executable, "-c", _WRAPPER, *cmd], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=err, text=True)
        err.seek(0)
        stderr = err.read()
    try:
        elapsed, peak_kib, returncode = done.stdout.split()
    except ValueError:
        raise BenchToolError(f"{' '.join(cmd[:4])} … could not be started: {stderr.strip()[-400:]}") from None
    if int(returncode) != 0:
        raise BenchToolError(f"{' '.join(cmd[:4])} … failed: {stderr.strip()[-400:]}")
    return float(elapsed), int(peak_kib) / 1024, stderr  # Linux reports KiB


def median_process(cmd: list[str], repeats: int) -> tuple[float, float, list[str]]:
    """(median seconds, median peak MB, every run's stderr)."""
    runs = [run_process(cmd) for _ in range(repeats)]
    return (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs), [r[2] for r in runs])


ZKTRADE = [sys.executable, "-m", "protocol.cli"]
# A step line of the CLI (protocol/cli/common.py's `step`): label, then its wall time.
_STEP = re.compile(r"^  (\S.*?)\s+(\d+\.\d+) s$")


def _steps(stderr: str) -> dict[str, float]:
    steps = {}
    for line in stderr.splitlines():
        match = _STEP.match(line)
        if match:
            label = re.sub(r" \(.*\)$", "", match.group(1))  # sizes in labels vary by circuit
            steps[label] = float(match.group(2))
    return steps


def time_ours_process(art: Artefacts, repeats: int) -> tuple[float, float, dict[str, float]]:
    """`zktrade circom prove` as a whole process: (median seconds, median peak MB, the parts of
    its time: start-up (the same command's --help: interpreter, imports), each reported step,
    and the rest (reading the witness, loading the fast kernels from numba's cache, writing))."""
    startup = statistics.median(run_process([*ZKTRADE, "circom", "prove", "--help"])[0] for _ in range(repeats))
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [*ZKTRADE, "circom", "prove", "--zkey", str(art.zkey), "--wtns", str(art.wtns),
               "--proof", str(Path(tmp) / "proof.json"), "--public", str(Path(tmp) / "public.json")]
        seconds, peak, errors = median_process(cmd, repeats)
    runs = [_steps(e) for e in errors]
    parts = {"start-up and imports": startup}
    parts.update({label: statistics.median(r.get(label, 0.0) for r in runs) for label in runs[0]})
    parts["the rest"] = max(0.0, seconds - sum(parts.values()))
    return seconds, peak, parts


def peak_groth16py(art: Artefacts) -> float | None:
    """Peak MB of a process that imports the .zkey into groth16py and proves once."""
    if importlib.util.find_spec("groth16py") is None:
        return None
    code = "import sys, groth16py; pk, _ = groth16py.import_zkey(sys.argv[1]); groth16py.prove_wtns(pk, sys.argv[2])"
    return run_process([sys.executable, "-c", code, str(art.zkey), str(art.wtns)])[1]


def time_ours(art: Artefacts, repeats: int) -> tuple[float, dict[str, float], float]:
    """(key load + conversion, phase medians, total median) for our prover."""
    backend = get_backend()
    start = time.perf_counter()
    zkey = read_zkey(art.zkey)
    pk = zkey.proving_key
    prepared = _prepared(pk, backend)  # what create_proof_from_zkey will use
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
        bases = getattr(prepared, query)
        phases[label] = median_seconds(lambda: msm(bases, scalars[query]), repeats)

    def prove() -> None:
        create_proof_from_zkey(zkey, read_wtns(art.wtns), 3, 5)

    return key_load, phases, median_seconds(prove, repeats)


def time_snarkjs(art: Artefacts, repeats: int) -> tuple[float | None, float | None]:
    """`snarkjs groth16 prove` as a whole process: (median seconds, median peak MB); None if
    node or snarkjs is missing."""
    snarkjs = NODE_BIN / "snarkjs"
    if not snarkjs.exists():
        return None, None
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ["node", "--max-old-space-size=16384", str(snarkjs), "groth16", "prove", str(art.zkey),
               str(art.wtns), str(Path(tmp) / "proof.json"), str(Path(tmp) / "public.json")]
        seconds, peak, _ = median_process(cmd, repeats)
    return seconds, peak


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
    progress(f"2^{art.log_size}: our prover, in-process")
    key_load, phases, ours = time_ours(art, repeats)
    progress(f"2^{art.log_size}: our prover, whole process (zktrade circom prove)")
    ours_process, ours_peak, parts = time_ours_process(art, repeats)
    progress(f"2^{art.log_size}: snarkjs")
    snarkjs, snarkjs_peak = time_snarkjs(art, repeats)
    progress(f"2^{art.log_size}: groth16py")
    groth16py = time_groth16py(art, repeats)
    peak_mb = {"ours": ours_peak, "snarkjs": snarkjs_peak, "groth16py": peak_groth16py(art)}
    contribute = snarkjs_contribute = None
    if art.snarkjs_keys:  # a dev key has no contribution transcript to extend
        progress(f"2^{art.log_size}: ceremony contribution, ours and snarkjs")
        contribute, snarkjs_contribute = time_contribute(art, repeats)
    return Timings(art.log_size, art.n_constraints, key_load, phases, ours, ours_process, parts, snarkjs,
                   groth16py, peak_mb, contribute, snarkjs_contribute)
