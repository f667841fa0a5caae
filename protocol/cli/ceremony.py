"""`zktrade ceremony` (phase 2, per circuit) and `zktrade ptau` (phase 1, powers of tau).

Both read and write snarkjs's files (.zkey, .ptau), so zktrade and snarkjs contributors can
take turns in one ceremony, and either tool verifies the result.
"""

from dataclasses import replace
from pathlib import Path

import click

from circuits import registry
from zk.ceremony import phase1
from zk.ceremony.keypair import Beacon
from zk.ceremony.phase2 import (
    Contribution,
    apply_beacon,
    coefficients_in_file_order,
    contribute,
    decode_mpc_params,
    entropy_rng,
    new_ceremony,
    verify_ceremony,
)
from zk.ceremony.transcript import format_hash
from zk.errors import MalformedInput
from zk.formats.iden3 import read_bytes
from zk.formats.native import write_proving_key
from zk.formats.ptau import check_ptau_file, read_ptau, write_ptau
from zk.formats.r1cs_bin import decode_r1cs
from zk.formats.snarkjs_json import vk_to_json, write_json
from zk.formats.zkey import SETUP_ORDER, read_zkey, write_zkey
from zk.qap import qap_domain
from zk.r1cs import R1CS

from .common import console, err_console, fast_backend_warmup, step


def _is_r1cs_path(circuit: str) -> bool:
    return Path(circuit).suffix == ".r1cs" or Path(circuit).exists()


def _load_circuit(circuit: str) -> tuple[R1CS, tuple | None]:
    """A circom .r1cs file (keeping its term order, as snarkjs does) or a zktrade circuit name."""
    path = Path(circuit)
    if _is_r1cs_path(circuit):
        data = read_bytes(path, "r1cs")
        r1cs = decode_r1cs(data, f"r1cs {path}").r1cs
        return r1cs, coefficients_in_file_order(data, r1cs.n_public)
    return registry.get(circuit).r1cs, None


def _print_contribution(index: int, c: Contribution) -> None:
    kind = f"beacon {c.beacon.hash.hex()} (2^{c.beacon.iterations_exp} SHA-256)" if c.beacon else "contribution"
    console.print(f"  #{index} {c.name or '(unnamed)'}: {kind}")
    for line in format_hash(c.hash()).splitlines():
        console.print(f"      {line}")


def _beacon(hash_hex: str, iterations_exp: int) -> Beacon:
    try:
        value = bytes.fromhex(hash_hex.removeprefix("0x"))
    except ValueError:
        raise MalformedInput(f"beacon hash {hash_hex!r} is not hexadecimal") from None
    return Beacon(value, iterations_exp)


@click.group()
def ceremony() -> None:
    """Phase 2 of a Groth16 trusted setup for one circuit, in snarkjs's .zkey format.

    \b
    Example (three parties, the last one snarkjs; CIRCUIT is a .r1cs or a zktrade circuit name):
      zktrade ceremony new leg --ptau pot16_final.ptau --out leg_0.zkey
      zktrade ceremony contribute leg_0.zkey leg_1.zkey --name alice
      zktrade ceremony contribute leg_1.zkey leg_2.zkey --name bob --entropy "dice: 4 1 6 6 2"
      npx snarkjs zkey contribute leg_2.zkey leg_3.zkey --name=carol -e="more entropy"
      zktrade ceremony beacon leg_3.zkey leg_final.zkey --hash <block hash> --iterations-exp 10
      zktrade ceremony verify leg_final.zkey --circuit leg --ptau pot16_final.ptau
      zktrade ceremony export vk leg_final.zkey --out verification_key.json
    """


@ceremony.command("new")
@click.argument("circuit")
@click.option("--ptau", "ptau_path", required=True, type=click.Path(dir_okay=False), help="Phase-2-prepared powers of tau.")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False), help="The initial .zkey to write.")
def new_cmd(circuit: str, ptau_path: str, out_path: str) -> None:
    """Start a ceremony: the initial .zkey (δ = 1, no contribution), byte for byte the file `snarkjs groth16 setup` writes.

    The initial key is NOT usable: with δ = γ = 1 anyone can forge proofs. It needs at least one
    honest contribution.

    Example: zktrade ceremony new circuit.r1cs --ptau pot12_final.ptau --out circuit_0.zkey
    """
    r1cs, coefficients = _load_circuit(circuit)
    check_ptau_file(ptau_path, qap_domain(r1cs).size)
    with step("load .ptau"):
        ptau = read_ptau(ptau_path)
    fast_backend_warmup()
    with step(f"initial key ({r1cs.n_constraints:,} constraints)"):
        zkey = new_ceremony(r1cs, ptau, coefficients)
    write_zkey(out_path, zkey, SETUP_ORDER)
    console.print(f"wrote {out_path}; circuit hash:")
    console.print(format_hash(decode_mpc_params(zkey.mpc_params).cs_hash))


@ceremony.command("contribute")
@click.argument("in_path", type=click.Path(dir_okay=False))
@click.argument("out_path", type=click.Path(dir_okay=False))
@click.option("--name", default="", help="Your name in the transcript (first 64 characters kept).")
@click.option("--entropy", default="", help="Extra text mixed with 64 bytes from the OS CSPRNG.")
def contribute_cmd(in_path: str, out_path: str, name: str, entropy: str) -> None:
    """Add your contribution: multiply δ by a fresh secret, then forget it.

    Publish the contribution hash printed at the end: anyone verifying the final key sees it.

    Example: zktrade ceremony contribute circuit_0.zkey circuit_1.zkey --name alice
    """
    zkey = read_zkey(in_path)
    fast_backend_warmup()
    with step("contribute"):
        new, contribution = contribute(zkey, entropy_rng(entropy.encode()), name)
    write_zkey(out_path, new)
    index = len(decode_mpc_params(new.mpc_params).contributions)
    console.print(f"wrote {out_path}")
    _print_contribution(index, contribution)


def beacon_options(fn):
    """IN OUT --hash H [--iterations-exp N] [--name N]: what both beacon commands take."""
    for decorator in reversed((
        click.argument("in_path", type=click.Path(dir_okay=False)),
        click.argument("out_path", type=click.Path(dir_okay=False)),
        click.option("--hash", "hash_hex", required=True, help="The beacon value in hex (e.g. a future block hash)."),
        click.option("--iterations-exp", default=10, show_default=True, type=int, help="2^N SHA-256 iterations (10..63)."),
        click.option("--name", default="final beacon", show_default=True),
    )):
        fn = decorator(fn)
    return fn


@ceremony.command("beacon")
@beacon_options
def beacon_cmd(in_path: str, out_path: str, hash_hex: str, iterations_exp: int, name: str) -> None:
    """Close the ceremony with a contribution anyone can recompute from a public random beacon.

    Example: zktrade ceremony beacon circuit_3.zkey circuit_final.zkey --hash 0102...ff --iterations-exp 10
    """
    zkey = read_zkey(in_path)
    fast_backend_warmup()
    with step("beacon contribution"):
        new, contribution = apply_beacon(zkey, _beacon(hash_hex, iterations_exp), name)
    write_zkey(out_path, new)
    console.print(f"wrote {out_path}")
    _print_contribution(len(decode_mpc_params(new.mpc_params).contributions), contribution)


@ceremony.command("verify")
@click.argument("zkey_path", type=click.Path(dir_okay=False))
@click.option("--circuit", required=True, help="The circuit: a circom .r1cs or a zktrade circuit name.")
@click.option("--ptau", "ptau_path", required=True, type=click.Path(dir_okay=False), help="The prepared powers of tau it started from.")
@click.option("--install", "keys_dir", type=click.Path(file_okay=False),
              help="Once verified, install the key for the trading system in this keys directory (zktrade circuits only).")
def verify_cmd(zkey_path: str, circuit: str, ptau_path: str, keys_dir: str | None) -> None:
    """Verify a .zkey's whole transcript back to the circuit and the powers of tau.

    Checks the circuit hash, each contribution's proof of knowledge and its link to the
    previous δ, beacons, and that only δ, L and H changed. A key without contribution is
    refused (δ = γ = 1: forgeable). Prints OK and exits 0, or names the failing contribution.

    With --install, the verified key is written where the trading system's key store looks
    for it (NAME-<R1CS digest>.pk and .vk.json), bound to the circuit's R1CS digest.

    Example: zktrade ceremony verify circuit_final.zkey --circuit circuit.r1cs --ptau pot12_final.ptau
    Example: zktrade ceremony verify leg_final.zkey --circuit leg --ptau pot14.ptau --install keys/
    """
    if keys_dir and _is_r1cs_path(circuit):
        raise click.UsageError("--install takes a zktrade circuit name (the trading system proves its own circuits), not a .r1cs")
    r1cs, coefficients = _load_circuit(circuit)
    check_ptau_file(ptau_path, qap_domain(r1cs).size)
    with step("load .ptau and .zkey"):
        ptau = read_ptau(ptau_path)
        zkey = read_zkey(zkey_path)
    fast_backend_warmup()
    with step("recompute the initial key"):
        initial = new_ceremony(r1cs, ptau, coefficients)
    with step("verify the transcript"):
        contributions = verify_ceremony(zkey, initial)
    console.print("circuit hash:")
    console.print(format_hash(decode_mpc_params(zkey.mpc_params).cs_hash))
    for i, c in enumerate(contributions):
        _print_contribution(i + 1, c)
    console.print(f"[bold green]OK[/]: {len(contributions)} contribution(s) verified back to the circuit and the powers of tau")
    if keys_dir:
        _install(circuit, zkey, keys_dir)


def _install(circuit: str, zkey, keys_dir: str) -> None:
    """The verified key as the key store's native file: a verified .zkey is bound to this R1CS."""
    from protocol.keys import KeyStore

    statement = registry.get(circuit)
    path = KeyStore(Path(keys_dir)).path_for(statement)
    path.parent.mkdir(parents=True, exist_ok=True)
    pk = replace(zkey.proving_key, circuit_digest=statement.r1cs.digest())
    write_proving_key(path, pk)
    write_json(path.with_suffix(".vk.json"), vk_to_json(pk.vk))
    console.print(f"installed {path} and {path.with_suffix('.vk.json')}")


@ceremony.group("export")
def export_group() -> None:
    """Export from a ceremony's .zkey."""


@export_group.command("vk")
@click.argument("zkey_path", type=click.Path(dir_okay=False))
@click.option("--out", "out_path", default="verification_key.json", show_default=True, type=click.Path(dir_okay=False))
def export_vk_cmd(zkey_path: str, out_path: str) -> None:
    """Write the verification key (snarkjs's verification_key.json) of a .zkey.

    Example: zktrade ceremony export vk circuit_final.zkey --out verification_key.json
    """
    zkey = read_zkey(zkey_path)
    if not decode_mpc_params(zkey.mpc_params).contributions:
        err_console.print("[bold yellow]WARNING[/] this key has no contribution (δ = γ = 1): proofs can be forged")
    write_json(out_path, vk_to_json(zkey.proving_key.vk))
    console.print(f"wrote {out_path}")


# ---------------------------------------------------------------- phase 1


@click.group()
def ptau() -> None:
    """Phase 1 of a trusted setup: the universal powers of tau, in snarkjs's .ptau format.

    \b
    Example (power 12: circuits up to 4,096 constraints; the middle party uses snarkjs):
      zktrade ptau new 12 pot_0.ptau
      zktrade ptau contribute pot_0.ptau pot_1.ptau --name alice
      npx snarkjs powersoftau contribute pot_1.ptau pot_2.ptau --name=bob -e="bob's entropy"
      zktrade ptau beacon pot_2.ptau pot_beacon.ptau --hash <block hash> --iterations-exp 10
      zktrade ptau prepare pot_beacon.ptau pot_final.ptau
      zktrade ptau verify pot_final.ptau
    """


def _print_ptau_contribution(index: int, c: phase1.PtauContribution) -> None:
    kind = f"beacon {c.beacon.hash.hex()} (2^{c.beacon.iterations_exp} SHA-256)" if c.beacon else "contribution"
    console.print(f"  #{index} {c.name or '(unnamed)'}: {kind}; response hash:")
    for line in format_hash(c.response_hash()).splitlines():
        console.print(f"      {line}")


@ptau.command("new")
@click.argument("power", type=int)
@click.argument("out_path", type=click.Path(dir_okay=False))
def ptau_new_cmd(power: int, out_path: str) -> None:
    """Start a powers-of-tau ceremony of 2^POWER (every point the generator, no contribution).

    Example: zktrade ptau new 12 pot_0.ptau
    """
    write_ptau(out_path, phase1.new_ptau(power))
    console.print(f"wrote {out_path} (power {power}: QAP domains up to {1 << power:,})")


@ptau.command("contribute")
@click.argument("in_path", type=click.Path(dir_okay=False))
@click.argument("out_path", type=click.Path(dir_okay=False))
@click.option("--name", default="", help="Your name in the transcript (first 64 characters kept).")
@click.option("--entropy", default="", help="Extra text mixed with 64 bytes from the OS CSPRNG.")
def ptau_contribute_cmd(in_path: str, out_path: str, name: str, entropy: str) -> None:
    """Add your contribution: multiply τ, α and β by fresh secrets, then forget them.

    Publish the response hash printed at the end.

    Example: zktrade ptau contribute pot_0.ptau pot_1.ptau --name alice
    """
    with step("load .ptau"):
        old = read_ptau(in_path)
    if old.lagrange is not None:
        err_console.print("[bold yellow]note[/] the phase-2 (Lagrange) sections are dropped: run `zktrade ptau prepare` after the last contribution")
    fast_backend_warmup()
    with step(f"contribute (power {old.power})"):
        new, contribution = phase1.contribute(old, entropy_rng(entropy.encode()), name)
    write_ptau(out_path, new)
    console.print(f"wrote {out_path}")
    _print_ptau_contribution(len(phase1.decode_contributions(new.contributions)), contribution)


@ptau.command("beacon")
@beacon_options
def ptau_beacon_cmd(in_path: str, out_path: str, hash_hex: str, iterations_exp: int, name: str) -> None:
    """Close phase 1 with a contribution anyone can recompute from a public random beacon.

    Example: zktrade ptau beacon pot_2.ptau pot_beacon.ptau --hash 0102...ff --iterations-exp 10
    """
    with step("load .ptau"):
        old = read_ptau(in_path)
    fast_backend_warmup()
    with step("beacon contribution"):
        new, contribution = phase1.apply_beacon(old, _beacon(hash_hex, iterations_exp), name)
    write_ptau(out_path, new)
    console.print(f"wrote {out_path}")
    _print_ptau_contribution(len(phase1.decode_contributions(new.contributions)), contribution)


@ptau.command("prepare")
@click.argument("in_path", type=click.Path(dir_okay=False))
@click.argument("out_path", type=click.Path(dir_okay=False))
def ptau_prepare_cmd(in_path: str, out_path: str) -> None:
    """Add the Lagrange bases phase 2 needs (as `snarkjs powersoftau prepare phase2`).

    Example: zktrade ptau prepare pot_beacon.ptau pot_final.ptau
    """
    with step("load .ptau"):
        old = read_ptau(in_path)
    fast_backend_warmup()
    with step(f"Lagrange bases (power {old.power})"):
        new = phase1.prepare(old)
    write_ptau(out_path, new)
    console.print(f"wrote {out_path}")


@ptau.command("verify")
@click.argument("ptau_path", type=click.Path(dir_okay=False))
def ptau_verify_cmd(ptau_path: str) -> None:
    """Verify a .ptau: every contribution's proofs of knowledge and chain, the powers, the
    last challenge hash and (if prepared) the Lagrange bases. A file without contribution is
    refused. Prints OK and exits 0, or names the failing contribution and exits 1.

    Example: zktrade ptau verify pot_final.ptau
    """
    with step("load .ptau"):
        p = read_ptau(ptau_path)
    fast_backend_warmup()
    with step("verify"):
        contributions = phase1.verify_ptau(p)
    for i, c in enumerate(contributions):
        _print_ptau_contribution(i + 1, c)
    prepared = "prepared for phase 2" if p.lagrange else "not prepared for phase 2 (run `zktrade ptau prepare`)"
    console.print(f"[bold green]OK[/]: power {p.power}, {len(contributions)} contribution(s) verified; {prepared}")
