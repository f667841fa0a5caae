"""`zktrade bench circom`: every step of the circom workflow as a whole process, zktrade beside snarkjs.

On the benchmark's circomlib Merkle circuits (Poseidon(2) levels and Num2Bits, artefacts.py),
compile excluded, each step is timed as a user runs it: a fresh `zktrade …` or `snarkjs …`
process, start-up included. Each figure is the median of `repeats` runs, with the peak
resident memory of the slowest run's process (os.wait4's rusage). One row more is in-process:
our witness generation without the interpreter's start-up, the figure a long-running prover sees.
Steps, ours | snarkjs:
  witness           circom witness            | wtns calculate
  prove (.wtns)     circom prove --wtns       | groth16 prove
  fullprove         circom prove --wasm       | groth16 fullprove
  setup             circom setup              | groth16 setup + zkey contribute (two processes)
  contribute        ceremony contribute       | zkey contribute
  verify            circom verify             | groth16 verify
  ceremony verify   ceremony verify           | zkey verify        (a two-party key: snarkjs, then zktrade)
"""

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .artefacts import CACHE, NODE_BIN, Artefacts, _ptau, build

ZKTRADE = (sys.executable, "-m", "protocol.cli")
SNARKJS = ("node", str(NODE_BIN / "snarkjs"))


@dataclass(frozen=True)
class Sample:
    seconds: float
    peak_mb: float  # the process's peak resident memory (the sum over a step's processes' peaks)


@dataclass(frozen=True)
class Step:
    name: str
    ours: Sample
    snarkjs: Sample

    @property
    def ratio(self) -> float:
        return self.ours.seconds / self.snarkjs.seconds


@dataclass(frozen=True)
class CircuitRun:
    log_size: int
    n_constraints: int
    witness_in_process: float
    steps: tuple[Step, ...]


def run_process(cmd: Sequence[str], cwd: Path) -> Sample:
    """One whole process: wall seconds and peak RSS (MB); a failure is an error with its output."""
    start = time.perf_counter()
    proc = subprocess.Popen(list(cmd), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env={**os.environ, "NODE_OPTIONS": "--max-old-space-size=8192"})
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:5])} failed:\n{output.decode(errors='replace')[-1500:]}")
    return Sample(seconds, usage.ru_maxrss / 1024)  # Linux: KiB


def median_run(commands: Sequence[Sequence[str]], cwd: Path, repeats: int) -> Sample:
    """The median over `repeats` of running `commands` one after the other (their times add up)."""
    samples = []
    for _ in range(repeats):
        parts = [run_process(cmd, cwd) for cmd in commands]
        samples.append(Sample(sum(p.seconds for p in parts), sum(p.peak_mb for p in parts)))
    samples.sort(key=lambda s: s.seconds)
    return samples[len(samples) // 2]


def _steps(art: Artefacts, ptau: Path) -> list[tuple[str, list, list]]:
    """(step, our commands, snarkjs's commands), in an order where each step's inputs exist."""
    r1cs, wasm, inp, zkey, vk = str(art.r1cs), str(art.wasm), str(art.input_json), str(art.zkey), str(art.vk_json)
    z, s = (*ZKTRADE,), (*SNARKJS,)
    return [
        ("witness", [[*z, "circom", "witness", "--wasm", wasm, "--input", inp, "--wtns", "ours.wtns"]],
         [[*s, "wtns", "calculate", wasm, inp, "theirs.wtns"]]),
        ("prove (.wtns)", [[*z, "circom", "prove", "--zkey", zkey, "--wtns", str(art.wtns), "--proof", "p.json", "--public", "pub.json"]],
         [[*s, "groth16", "prove", zkey, str(art.wtns), "sp.json", "spub.json"]]),
        ("fullprove (witness + prove)", [[*z, "circom", "prove", "--zkey", zkey, "--wasm", wasm, "--input", inp,
                                          "--proof", "fp.json", "--public", "fpub.json"]],
         [[*s, "groth16", "fullprove", inp, wasm, zkey, "sfp.json", "sfpub.json"]]),
        ("setup (+ one contribution)", [[*z, "circom", "setup", r1cs, "--ptau", str(ptau), "--zkey", "ours_setup.zkey"]],
         [[*s, "groth16", "setup", r1cs, str(ptau), "theirs_0.zkey"],
          [*s, "zkey", "contribute", "theirs_0.zkey", "theirs_setup.zkey", "-e=bench"]]),
        ("contribute", [[*z, "ceremony", "contribute", zkey, "ours_2party.zkey", "--name", "bench"]],
         [[*s, "zkey", "contribute", zkey, "theirs_2party.zkey", "-e=bench"]]),
        ("verify", [[*z, "circom", "verify", "--vk", vk, "--proof", "sp.json", "--public", "spub.json"]],
         [[*s, "groth16", "verify", vk, "spub.json", "sp.json"]]),
        ("ceremony verify (2 parties)", [[*z, "ceremony", "verify", "ours_2party.zkey", "--circuit", r1cs, "--ptau", str(ptau)]],
         [[*s, "zkey", "verify", r1cs, str(ptau), "ours_2party.zkey"]]),
    ]


def witness_in_process(art: Artefacts, repeats: int) -> float:
    """Median seconds of calculate_witness alone (the .wasm compiled and run, inputs parsed)."""
    import json

    from zk.circom.witness import calculate_witness

    inputs = json.loads(art.input_json.read_text())
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        calculate_witness(art.wasm, inputs)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def bench_circuit(log_size: int, max_log: int, repeats: int, progress: Callable[[str], None]) -> CircuitRun:
    art = build(log_size, max_log, progress)
    ptau = _ptau(max_log, progress)
    work = CACHE / f"circom_2^{log_size}"
    work.mkdir(parents=True, exist_ok=True)
    steps = []
    for name, ours, theirs in _steps(art, ptau):
        progress(f"2^{log_size}: {name}")
        steps.append(Step(name, median_run(ours, work, repeats), median_run(theirs, work, repeats)))
    return CircuitRun(log_size, art.n_constraints, witness_in_process(art, repeats), tuple(steps))


def markdown(runs: Sequence[CircuitRun], repeats: int, machine: str) -> str:
    """The README's table: seconds ours / snarkjs (ratio), peak MB ours / snarkjs, per size."""
    head = ["step (whole processes)", *(f"2^{r.log_size} ({r.n_constraints:,} constraints)" for r in runs)]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for i, step in enumerate(runs[0].steps):
        cells = []
        for r in runs:
            s = r.steps[i]
            cells.append(f"{s.ours.seconds:.2f} / {s.snarkjs.seconds:.2f} s (**{s.ratio:.2f}×**), "
                         f"{s.ours.peak_mb:,.0f} / {s.snarkjs.peak_mb:,.0f} MB")
        lines.append("| " + " | ".join([step.name, *cells]) + " |")
    witness = [r.steps[0].snarkjs.seconds for r in runs]
    lines.append("| witness in-process / `wtns calculate` process | " + " | ".join(
        f"{r.witness_in_process:.2f} / {w:.2f} s (**{r.witness_in_process / w:.2f}×**)" for r, w in zip(runs, witness)) + " |")
    lines += ["", f"zktrade / snarkjs, median of {repeats} in one run; {machine}."]
    return "\n".join(lines) + "\n"


def bench_circom(min_log: int, max_log: int, repeats: int, machine: str, progress: Callable[[str], None]) -> str:
    """Every size from 2^min_log to 2^max_log: the markdown table."""
    runs = [bench_circuit(k, max_log, repeats, progress) for k in range(min_log, max_log + 1)]
    return markdown(runs, repeats, machine)
