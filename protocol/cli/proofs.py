"""Proof-system commands: circuit list|info, setup, prove, verify, export calldata."""

import json
from pathlib import Path

import click

from zk.qap import REDUCTIONS, qap_domain

from .common import ProofRejected, console, err_console, fast_backend_warmup, step

# Each command imports what it uses when it runs: `zktrade verify` loads neither the circuits,
# the native key format nor the fast backend (start-up is part of every command's time).

PK_FILE = "proving_key.pk"
VK_FILE = "verification_key.json"


@click.group()
def circuit() -> None:
    """Inspect the circuits zktrade knows: `circuit list`, `circuit info NAME`."""


@circuit.command("list")
def circuit_list() -> None:
    """List the circuits known to the project.

    Example: zktrade circuit list
    """
    from rich.table import Table

    from circuits import registry

    table = Table("name", "description", box=None, header_style="bold")
    for name in registry.names():
        table.add_row(name, registry.describe(name))
    console.print(table)


@circuit.command("info")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object instead.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), help="Also draw the per-gadget breakdown into this PNG.")
def circuit_info(name: str, as_json: bool, plot_path: str | None) -> None:
    """Constraints, wires, public inputs and a per-gadget breakdown of circuit NAME.

    Example: zktrade circuit info cubic
    Example: zktrade circuit info leg --json
    Example: zktrade circuit info leg --plot leg.png
    """
    from rich.table import Table

    from circuits import registry

    c = registry.get(name)
    cs = c.r1cs
    if plot_path:
        from circuits.plot import plot_breakdown

        plot_breakdown(name, c.breakdown(), cs.n_constraints, plot_path)
    if as_json:
        click.echo(json.dumps({
            "name": name, "description": registry.describe(name), "constraints": cs.n_constraints,
            "wires": cs.n_wires, "public": cs.n_public, "private": cs.n_private,
            "public_inputs": list(c.public_names), "qap_domain": qap_domain(cs).size, "r1cs_digest": cs.digest(),
            "breakdown": [{"gadget": path, "constraints": count} for path, count in c.breakdown()],
        }, indent=2))
        return
    console.print(f"[bold]{name}[/]: {registry.describe(name)}")
    console.print(f"  constraints     {cs.n_constraints:>10,}")
    console.print(f"  wires           {cs.n_wires:>10,}  (1 constant, {cs.n_public} public, {cs.n_private} private)")
    console.print(f"  public inputs   {', '.join(c.public_names) or '(none)'}")
    console.print(f"  QAP domain      {qap_domain(cs).size:>10,}  (constraints + public inputs + 1, rounded up to 2^k)")
    console.print(f"  R1CS digest     {cs.digest()}", soft_wrap=True)  # a hex value is never split
    table = Table("gadget", "constraints", "share", box=None, header_style="bold")
    total = max(1, cs.n_constraints)
    for path, count in c.breakdown():
        table.add_row(path, f"{count:,}", f"{100 * count / total:5.1f}%")
    console.print(table)
    if plot_path:
        console.print(f"wrote {plot_path}")


@circuit.command("export")
@click.argument("name")
@click.option("--input", "input_path", type=click.Path(dir_okay=False),
              help="JSON object of named inputs for the witness (default: the circuit's example input).")
@click.option("--r1cs", "r1cs_path", type=click.Path(dir_okay=False), help="Write circom's .r1cs here.")
@click.option("--wtns", "wtns_path", type=click.Path(dir_okay=False), help="Write the witness as circom's .wtns here.")
def circuit_export(name: str, input_path: str | None, r1cs_path: str | None, wtns_path: str | None) -> None:
    """Export circuit NAME as circom's .r1cs and a witness as .wtns (snarkjs reads both).

    Example: zktrade circuit export merkle20 --input in.json --r1cs merkle20.r1cs --wtns merkle20.wtns
    """
    from circuits import registry
    from circuits.iden3_export import export_circom
    from zk.errors import MalformedInput
    from zk.formats.snarkjs_json import read_json

    if r1cs_path is None and wtns_path is None:
        raise click.UsageError("nothing to do: give --r1cs and/or --wtns")
    c = registry.get(name)
    inputs = None
    if input_path is not None:
        inputs = read_json(input_path, "circuit input")
        if not isinstance(inputs, dict):
            raise MalformedInput(f"circuit input {input_path}: expected a JSON object of named inputs")
    export_circom(c, inputs, r1cs_path, wtns_path)
    console.print(f"wrote {' and '.join(p for p in (r1cs_path, wtns_path) if p)}")


@click.command("setup")
@click.argument("name")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Directory for the keys.")
@click.option("--seed", type=int, default=None, help="Derive the toxic waste from this seed (reproducible dev keys).")
@click.option("--reduction", type=click.Choice(sorted(REDUCTIONS)), default="circom", show_default=True,
              help="R1CS→QAP reduction; 'circom' keys interoperate with snarkjs.")
def setup_cmd(name: str, out_dir: str, seed: int | None, reduction: str) -> None:
    """Dev-only single-party Groth16 keys for circuit NAME.

    Writes OUT/proving_key.pk and OUT/verification_key.json (snarkjs format).

    Example: zktrade setup cubic --out keys/ --seed 1
    """
    from circuits import registry
    from zk.formats.native import write_proving_key
    from zk.formats.snarkjs_json import vk_to_json, write_json
    from zk.groth16 import DEV_ONLY_WARNING, setup

    c = registry.get(name)
    err_console.print(f"[bold yellow]WARNING[/] {DEV_ONLY_WARNING}")
    fast_backend_warmup()
    with step(f"setup {name} ({c.r1cs.n_constraints:,} constraints)"):
        pk = setup(c.r1cs, seed=seed, reduction=reduction)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_proving_key(out / PK_FILE, pk)
    write_json(out / VK_FILE, vk_to_json(pk.vk))
    console.print(f"wrote {out / PK_FILE} and {out / VK_FILE}")


@click.command("prove")
@click.argument("name")
@click.option("--pk", "pk_path", required=True, type=click.Path(dir_okay=False), help="Proving key from `zktrade setup`.")
@click.option("--input", "input_path", required=True, type=click.Path(dir_okay=False), help="JSON object of named inputs.")
@click.option("--proof", "proof_path", default="proof.json", show_default=True, type=click.Path(dir_okay=False))
@click.option("--public", "public_path", default="public.json", show_default=True, type=click.Path(dir_okay=False))
def prove_cmd(name: str, pk_path: str, input_path: str, proof_path: str, public_path: str) -> None:
    """Prove circuit NAME on the inputs in INPUT; writes proof.json and public.json.

    Example: zktrade prove cubic --pk keys/proving_key.pk --input input.json --proof proof.json --public public.json
    """
    from circuits import registry
    from zk.errors import MalformedInput
    from zk.formats.native import read_proving_key
    from zk.formats.snarkjs_json import proof_to_json, public_to_json, read_json, write_json
    from zk.groth16 import prove

    c = registry.get(name)
    inputs = read_json(input_path, "circuit input")
    if not isinstance(inputs, dict):
        raise MalformedInput(f"circuit input {input_path}: expected a JSON object of named inputs")
    with step("load proving key"):
        pk = read_proving_key(pk_path)
    fast_backend_warmup()
    with step("witness"):
        witness = c.witness(inputs)
    with step(f"prove ({c.r1cs.n_constraints:,} constraints)"):
        proof = prove(pk, c.r1cs, witness)
    write_json(proof_path, proof_to_json(proof))
    write_json(public_path, public_to_json(c.r1cs.public_inputs(witness)))
    console.print(f"wrote {proof_path} and {public_path}")


@click.command("verify")
@click.option("--vk", "vk_path", required=True, type=click.Path(dir_okay=False))
@click.option("--proof", "proof_path", required=True, type=click.Path(dir_okay=False))
@click.option("--public", "public_path", required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help='Print {"valid": true|false, ...} instead (same exit codes).')
def verify_cmd(vk_path: str, proof_path: str, public_path: str, as_json: bool) -> None:
    """Verify a Groth16 proof: prints OK and exits 0, or says why not and exits 1.

    Example: zktrade verify --vk keys/verification_key.json --proof proof.json --public public.json
    """
    from zk.backends import preferred
    from zk.formats.snarkjs_json import load_proof, load_public, load_vk
    from zk.groth16.verifier import prepare_verifying_key, verify_proof

    # One proof: the pure-Python pairing (~50 ms) costs less than importing numba and loading
    # its kernels; ZKTRADE_BACKEND still overrides.
    with preferred("python"):
        vk = load_vk(vk_path)
        proof = load_proof(proof_path)
        public = load_public(public_path)
        valid = verify_proof(prepare_verifying_key(vk), proof, public)
    if as_json:
        click.echo(json.dumps({"valid": valid, "vk": vk_path, "proof": proof_path, "public": [str(x) for x in public]}))
        if not valid:
            raise click.exceptions.Exit(1)
    elif valid:  # click, not rich: this command's start-up is part of its time
        click.echo(click.style("OK", fg="green", bold=True) + ": the proof is valid for these public inputs")
    else:
        raise ProofRejected()


@click.group()
def export() -> None:
    """Export artefacts for other tools: calldata (and, with the chain tools, verifiers)."""


@export.command("calldata")
@click.option("--proof", "proof_path", required=True, type=click.Path(dir_okay=False))
@click.option("--public", "public_path", required=True, type=click.Path(dir_okay=False))
@click.option("--abi", is_flag=True, help="Print the ABI-encoded verifyProof transaction data as hex instead.")
def export_calldata(proof_path: str, public_path: str, abi: bool) -> None:
    """Arguments for verifyProof(a, b, c, input), G2 coordinates swapped as EIP-197 wants.

    Example: zktrade export calldata --proof proof.json --public public.json
    """
    from zk.formats.calldata import encode_verify_call, solidity_calldata
    from zk.formats.snarkjs_json import load_proof, load_public

    proof, public = load_proof(proof_path), load_public(public_path)
    click.echo("0x" + encode_verify_call(proof, public).hex() if abi else solidity_calldata(proof, public))
