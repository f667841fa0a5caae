"""`zktrade demo`: the proof system's whole story, readable in one screen."""

import time
from dataclasses import replace

import click

from circuits import registry
from zk.backends import get_backend
from zk.curve import g1_add, G1_GENERATOR
from zk.errors import MalformedInput
from zk.field import R
from zk.groth16 import DEV_ONLY_WARNING, prepare_verifying_key, prove, setup, verify_proof

from .common import console, fast_backend_warmup


def _timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - start


@click.command("demo")
@click.option("--circuit", "name", default="gates300", show_default=True, help="Circuit to run the demo on.")
def demo(name: str) -> None:
    """Setup → prove → verify → tamper → reject, with timings.

    Example: zktrade demo --circuit cubic
    """
    c = registry.get(name)
    console.rule(f"zktrade proof-system demo: {name}")
    console.print(f"circuit: {registry.describe(name)}")
    console.print(f"  {c.r1cs.n_constraints:,} constraints, {c.r1cs.n_wires:,} wires, {c.r1cs.n_public} public inputs")
    console.print(f"  MSM/NTT backend: {get_backend().name}")
    fast_backend_warmup()

    console.print(f"\n[bold]1. setup[/] [yellow]({DEV_ONLY_WARNING})[/]")
    pk, t = _timed(setup, c.r1cs)
    pvk = prepare_verifying_key(pk.vk)
    console.print(f"   keys for {pk.n_wires:,} wires over a QAP domain of {pk.domain_size:,}  [dim]{t:.2f} s[/]")

    console.print("\n[bold]2. prove[/]")
    witness = c.witness(c.example_inputs())
    public = c.r1cs.public_inputs(witness)
    proof, t = _timed(prove, pk, c.r1cs, witness)
    console.print(f"   proof π = (A, B, C), fresh blinding r, s  [dim]{t:.2f} s[/]")
    again = prove(pk, c.r1cs, witness)
    console.print(f"   a second proof of the same witness differs: {again != proof} (zero knowledge)")

    console.print("\n[bold]3. verify[/]")
    ok, t = _timed(verify_proof, pvk, proof, public)
    console.print(f"   valid proof accepted: [{'green' if ok else 'red'}]{ok}[/]  [dim]{t:.2f} s[/]")

    console.print("\n[bold]4. tamper → reject[/]")
    cases = [("A moved by the generator", replace(proof, a=g1_add(proof.a, G1_GENERATOR)), public),
             ("C swapped with A", replace(proof, c=proof.a), public)]
    if public:
        cases.append(("public input 0 changed", proof, [(public[0] + 1) % R, *public[1:]]))
    cases.append(("public input ≥ r (non-canonical)", proof, [R, *public[1:]] if public else [R]))
    all_rejected = ok
    for label, bad_proof, bad_public in cases:
        try:
            accepted = verify_proof(pvk, bad_proof, bad_public)
            reason = "pairing check failed" if not accepted else "ACCEPTED"
        except MalformedInput as exc:
            accepted, reason = False, str(exc)
        all_rejected &= not accepted
        colour = "green" if not accepted else "red"
        console.print(f"   {label:<36} [{colour}]{'rejected' if not accepted else 'ACCEPTED'}[/]: {reason}")
    console.rule("[green]demo complete[/]" if all_rejected else "[red]demo FAILED[/]")
    if not all_rejected:
        raise click.ClickException("the demo's checks did not all hold")
