"""`zktrade circom`: work on circom and snarkjs artefacts (.r1cs, .wtns, .zkey, .ptau).

Start-up is part of every command's time: what only one command needs (the circuit registry,
wasmtime for the witness, the setup) is imported inside that command.
"""

from pathlib import Path

import click

from zk.circom import prove_from_zkey
from zk.errors import MalformedInput
from zk.formats.iden3 import read_buffer
from zk.formats.ptau import check_ptau_file, decode_ptau, read_ptau
from zk.formats.r1cs_bin import decode_r1cs, read_r1cs, write_r1cs
from zk.formats.snarkjs_json import (
    load_proof,
    load_public,
    load_vk,
    proof_to_json,
    public_to_json,
    read_json,
    vk_to_json,
    write_json,
)
from zk.formats.wtns import decode_wtns, read_wtns, write_wtns
from zk.formats.zkey import decode_zkey, read_zkey, write_zkey
from zk.groth16 import DEV_ONLY_WARNING, prepare_verifying_key, verify_proof
from zk.qap import qap_domain

from .common import ProofRejected, console, err_console, fast_backend_warmup, step


@click.group()
def circom() -> None:
    """circom/snarkjs interop: info, prove, verify, setup, export (.r1cs/.wtns/.zkey/.ptau).

    \b
    Example (a circuit compiled with `circom2 c.circom --r1cs --wasm`):
      zktrade circom info c.r1cs
      zktrade circom setup c.r1cs --ptau pot12.ptau --zkey c.zkey --vk verification_key.json
      zktrade circom prove --zkey c.zkey --wasm c_js/c.wasm --input input.json \\
          --proof proof.json --public public.json
      zktrade circom verify --vk verification_key.json --proof proof.json --public public.json
      zktrade circom export cubic --r1cs cubic.r1cs --input input.json --wtns cubic.wtns
    """


def _print_rows(rows: list[tuple[str, object]]) -> None:
    for label, value in rows:
        text = f"{value:>12,}" if isinstance(value, int) else str(value)
        console.print(f"  {label:<22} {text}", soft_wrap=True)


@circom.command("info")
@click.argument("path", type=click.Path(dir_okay=False))
def info_cmd(path: str) -> None:
    """Describe an iden3 binary file (.r1cs, .wtns, .zkey or .ptau), validating all of it.

    Example: zktrade circom info circuit.r1cs
    """
    data = read_buffer(path, "file")
    magic = bytes(data[:4])
    if magic == b"r1cs":
        f = decode_r1cs(bytes(data), f"r1cs {path}")
        cs = f.r1cs
        console.print(f"[bold]{path}[/]: circom constraint system (BN254)")
        _print_rows([
            ("constraints", cs.n_constraints),
            ("wires", cs.n_wires),
            ("public outputs", f.n_outputs),
            ("public inputs", f.n_pub_inputs),
            ("private inputs", f.n_prv_inputs),
            ("labels", f.n_labels),
            ("QAP domain", qap_domain(cs).size),
            ("R1CS digest", cs.digest()),
        ])
    elif magic == b"wtns":
        w = decode_wtns(bytes(data), f"wtns {path}")
        console.print(f"[bold]{path}[/]: circom witness (BN254)")
        # a .wtns does not say which wires are public: the .r1cs (or .zkey) does
        _print_rows([("values", len(w)), ("wire 1", str(w[1]) if len(w) > 1 else "-")])
    elif magic == b"zkey":
        z = decode_zkey(data, f"zkey {path}")
        console.print(f"[bold]{path}[/]: snarkjs Groth16 proving key (BN254)")
        _print_rows([
            ("wires", z.n_vars),
            ("public inputs", z.n_public),
            ("QAP domain", z.domain_size),
            ("A/B coefficients", len(z.coefficients)),
            ("key digest", z.proving_key.circuit_digest),
        ])
    elif magic == b"ptau":
        p = decode_ptau(data, f"ptau {path}")
        console.print(f"[bold]{path}[/]: powers of tau (BN254)")
        _print_rows([
            ("power", p.power),
            ("ceremony power", p.ceremony_power),
            ("max QAP domain", 1 << p.power),
            ("prepared for phase 2", "yes" if p.lagrange else "no (run `snarkjs powersoftau prepare phase2`)"),
        ])
    else:
        raise MalformedInput(f"{path}: not an iden3 .r1cs/.wtns/.zkey/.ptau file (starts with {magic!r})")


def _witness(wasm_path: str, input_path: str) -> list[int]:
    """circom's witness for input.json, in-process; one note if snarkjs would read the inputs differently."""
    from zk.circom.witness import calculate_witness, rounded_by_javascript

    inputs = read_json(input_path, "circuit input")
    if not isinstance(inputs, dict):
        raise MalformedInput(f"circuit input {input_path}: expected a JSON object of named inputs")
    rounded = rounded_by_javascript(inputs)
    if rounded:
        more = f" (and {len(rounded) - 1} more)" if len(rounded) > 1 else ""
        err_console.print(
            f"[bold yellow]note[/] input {rounded[0]}{more} is an unquoted JSON integer above 2^53: zktrade uses "
            "its exact value, snarkjs rounds it (JSON numbers are doubles) and would prove another statement; "
            "quote it as a string to be read the same by both", soft_wrap=True,
        )
    with step("witness (circom .wasm, in-process)"):
        return calculate_witness(wasm_path, inputs)


@circom.command("witness")
@click.option("--wasm", "wasm_path", required=True, type=click.Path(dir_okay=False), help="circom's witness .wasm.")
@click.option("--input", "input_path", required=True, type=click.Path(dir_okay=False), help="circom input.json.")
@click.option("--wtns", "wtns_path", required=True, type=click.Path(dir_okay=False), help="Where to write the .wtns.")
def witness_cmd(wasm_path: str, input_path: str, wtns_path: str) -> None:
    """Compute a witness with circom's .wasm in-process (as `snarkjs wtns calculate`), as .wtns.

    Example: zktrade circom witness --wasm c_js/c.wasm --input input.json --wtns c.wtns
    """
    write_wtns(wtns_path, _witness(wasm_path, input_path))
    console.print(f"wrote {wtns_path}")


@circom.command("prove")
@click.option("--zkey", "zkey_path", required=True, type=click.Path(dir_okay=False), help="snarkjs Groth16 .zkey.")
@click.option("--wtns", "wtns_path", type=click.Path(dir_okay=False), help="Witness computed by circom's witness program.")
@click.option("--wasm", "wasm_path", type=click.Path(dir_okay=False), help="circom's witness .wasm (with --input), run in-process.")
@click.option("--input", "input_path", type=click.Path(dir_okay=False), help="circom input.json for --wasm.")
@click.option("--r1cs", "r1cs_path", type=click.Path(dir_okay=False), help="Check the witness against this .r1cs first (names the failing constraint).")
@click.option("--save-wtns", "save_wtns", type=click.Path(dir_okay=False), help="Also write the witness computed from --wasm as .wtns.")
@click.option("--proof", "proof_path", default="proof.json", show_default=True, type=click.Path(dir_okay=False))
@click.option("--public", "public_path", default="public.json", show_default=True, type=click.Path(dir_okay=False))
def prove_cmd(zkey_path, wtns_path, wasm_path, input_path, r1cs_path, save_wtns, proof_path, public_path) -> None:
    """Prove from a snarkjs .zkey and a witness (.wtns, or --wasm + --input); snarkjs-format output.

    The proof is verified against the key before it is written: an unsatisfying witness is
    refused instead of producing a proof that fails later.

    \b
    Example: zktrade circom prove --zkey c.zkey --wtns c.wtns --proof proof.json --public public.json
    Example: zktrade circom prove --zkey c.zkey --wasm c_js/c.wasm --input input.json
    """
    if bool(wtns_path) == bool(wasm_path):
        raise click.UsageError("give exactly one witness source: --wtns W, or --wasm C.wasm with --input in.json")
    if wasm_path and not input_path:
        raise click.UsageError("--wasm needs --input in.json (the circuit's inputs)")
    with step("load .zkey"):
        zkey = read_zkey(zkey_path)
    if wasm_path:
        witness = _witness(wasm_path, input_path)
        if save_wtns:
            write_wtns(save_wtns, witness)
    else:
        witness = read_wtns(wtns_path)
    if r1cs_path:
        with step("check the witness against the .r1cs"):
            read_r1cs(r1cs_path).r1cs.check(witness)
    fast_backend_warmup()
    with step(f"prove ({zkey.n_vars:,} wires, domain {zkey.domain_size:,})"):
        proof = prove_from_zkey(zkey, witness)
    public = witness[1 : 1 + zkey.n_public]
    with step("verify before writing"):
        ok = verify_proof(prepare_verifying_key(zkey.proving_key.vk), proof, public)
    if not ok:
        raise MalformedInput(
            "the witness does not satisfy the circuit of this .zkey (the proof does not verify): "
            "recompute the witness for this circuit, or pass --r1cs to find the failing constraint"
        )
    write_json(proof_path, proof_to_json(proof))
    write_json(public_path, public_to_json(public))
    console.print(f"wrote {proof_path} and {public_path}")


@circom.command("verify")
@click.option("--vk", "vk_path", type=click.Path(dir_okay=False), help="verification_key.json (snarkjs format).")
@click.option("--zkey", "zkey_path", type=click.Path(dir_okay=False), help="Or take the verification key from this .zkey.")
@click.option("--proof", "proof_path", required=True, type=click.Path(dir_okay=False))
@click.option("--public", "public_path", required=True, type=click.Path(dir_okay=False))
def verify_cmd(vk_path, zkey_path, proof_path, public_path) -> None:
    """Verify a snarkjs Groth16 proof: prints OK and exits 0, or says why not and exits 1.

    Example: zktrade circom verify --zkey circuit.zkey --proof proof.json --public public.json
    """
    if bool(vk_path) == bool(zkey_path):
        raise click.UsageError("give exactly one of --vk verification_key.json or --zkey circuit.zkey")
    vk = load_vk(vk_path) if vk_path else read_zkey(zkey_path).proving_key.vk
    if verify_proof(prepare_verifying_key(vk), load_proof(proof_path), load_public(public_path)):
        console.print("[bold green]OK[/]: the proof is valid for these public inputs")
        return
    raise ProofRejected()


@circom.command("setup")
@click.argument("r1cs_path", type=click.Path(dir_okay=False))
@click.option("--ptau", "ptau_path", required=True, type=click.Path(dir_okay=False), help="Phase-2-prepared powers of tau.")
@click.option("--zkey", "zkey_path", required=True, type=click.Path(dir_okay=False), help="Where to write the .zkey.")
@click.option("--vk", "vk_path", type=click.Path(dir_okay=False), help="Also write verification_key.json here.")
def setup_cmd(r1cs_path: str, ptau_path: str, zkey_path: str, vk_path: str | None) -> None:
    """Groth16 .zkey for a circom .r1cs from a prepared .ptau, with one fresh δ contribution.

    snarkjs proves with the .zkey (`snarkjs groth16 prove`); `snarkjs zkey verify` does not
    accept it (no contribution transcript). Others can add contributions with `snarkjs zkey contribute`.

    Example: zktrade circom setup circuit.r1cs --ptau pot12_final.ptau --zkey circuit.zkey --vk verification_key.json
    """
    from zk.circom.setup import setup_from_ptau

    err_console.print(f"[bold yellow]WARNING[/] {DEV_ONLY_WARNING}")
    r1cs = read_r1cs(r1cs_path).r1cs
    check_ptau_file(ptau_path, qap_domain(r1cs).size)
    with step("load .ptau"):
        ptau = read_ptau(ptau_path)
    fast_backend_warmup()
    with step(f"setup ({r1cs.n_constraints:,} constraints)"):
        zkey = setup_from_ptau(r1cs, ptau)
    write_zkey(zkey_path, zkey)
    written = [zkey_path]
    if vk_path:
        write_json(vk_path, vk_to_json(zkey.proving_key.vk))
        written.append(vk_path)
    console.print(f"wrote {' and '.join(str(Path(p)) for p in written)}")


@circom.command("export")
@click.argument("name")
@click.option("--r1cs", "r1cs_path", required=True, type=click.Path(dir_okay=False), help="Where to write the .r1cs.")
@click.option("--input", "input_path", type=click.Path(dir_okay=False), help="Inputs (JSON object) for a witness.")
@click.option("--wtns", "wtns_path", type=click.Path(dir_okay=False), help="Where to write the witness (needs --input).")
def export_cmd(name: str, r1cs_path: str, input_path: str | None, wtns_path: str | None) -> None:
    """Write zktrade circuit NAME as circom's .r1cs (and a witness as .wtns) for snarkjs.

    The public wires become circom public inputs (no outputs); wire i is labelled i.

    Example: zktrade circom export cubic --r1cs cubic.r1cs --input input.json --wtns cubic.wtns
    """
    from circuits import registry

    if bool(input_path) != bool(wtns_path):
        raise click.UsageError("--input and --wtns go together (the witness needs the inputs)")
    c = registry.get(name)
    write_r1cs(r1cs_path, c.r1cs)
    written = [r1cs_path]
    if input_path:
        inputs = read_json(input_path, "circuit input")
        if not isinstance(inputs, dict):
            raise MalformedInput(f"circuit input {input_path}: expected a JSON object of named inputs")
        witness = c.witness(inputs)
        c.r1cs.check(witness)
        write_wtns(wtns_path, witness)
        written.append(wtns_path)
    console.print(f"wrote {' and '.join(written)}")
