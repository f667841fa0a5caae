"""`zktrade demo`: the trading story on a chain, or (--proof-system) the bare Groth16 story."""

import tempfile
import time
from dataclasses import replace
from pathlib import Path

import click
from rich.table import Table

from .common import console, fast_backend_warmup


@click.command("demo")
@click.option("--rpc", default=None, help="JSON-RPC URL of a node (e.g. from `zktrade devnet up`); default: the embedded chain.")
@click.option("--home", "home_dir", default=None, type=click.Path(file_okay=False),
              help="Where keys and wallets go (default: keys in the per-user cache directory, wallets in a temporary directory).")
@click.option("--proof-system", is_flag=True, help="Run the proof-system demo instead: setup → prove → verify → tamper → reject.")
@click.option("--circuit", "name", default="gates300", show_default=True, help="Circuit of the --proof-system demo.")
def demo(rpc: str | None, home_dir: str | None, proof_system: bool, name: str) -> None:
    """Three traders shield tokens, trade privately (a sweep of two makers) and settle on chain, with timings.

    \b
    Examples:
      zktrade demo                          # embedded py-evm chain, in this process
      zktrade devnet up && zktrade demo --rpc http://127.0.0.1:8545
      zktrade demo --proof-system --circuit cubic
    """
    if proof_system:
        proof_system_demo(name)
        return
    trading_demo(rpc, home_dir)


def trading_demo(rpc: str | None, home_dir: str | None) -> None:
    from ..chain.client import Chain
    from ..demo import balances, plaintexts_in, private_values, run_demo, units

    console.rule("zktrade: private peer-to-peer trading")
    fast_backend_warmup()
    chain = Chain.from_rpc(rpc)
    console.print(f"chain: {'embedded py-evm (in this process)' if chain.embedded else rpc}")
    start = time.perf_counter()

    def show(step: str, seconds: float, lines: list[str]) -> None:
        console.print(f"\n[bold]{step}[/]  [dim]{seconds:.2f} s[/]")
        for line in lines:
            console.print(f"   {line}")

    def on_setup(statement) -> None:
        console.print(f"   [yellow]dev setup of {statement.name} ({statement.r1cs.n_constraints:,} constraints, "
                      "first run only; keys are cached)[/]")

    with tempfile.TemporaryDirectory(prefix="zktrade-demo-") as tmp:
        home = Path(home_dir) if home_dir else Path(tmp)
        if not home_dir:
            (home / "keys").symlink_to(_key_cache(), target_is_directory=True)
        result = run_demo(chain, home, show, on_setup=on_setup)
        console.print("\n[bold]shielded balances after the trades[/]")
        for trader_name, trader in result.traders.items():
            shown = ", ".join(f"{units(v)} {k}" for k, v in sorted(balances(trader).items())) or "nothing"
            console.print(f"   {trader_name:<6} {shown}")
        console.print(f"   the fresh address received {units(result.token_balance('USDC', result.recipient))} USDC, "
                      f"the relayer {units(result.token_balance('USDC', result.relayer))} USDC (its fee)")
        private = private_values(result)
        leaks = sorted({name for tx in result.settle_txs for name in plaintexts_in(result.pool, tx, private)})
        traders = {k: v for k, v in private.items() if k.endswith("'s address")}
        leaks += plaintexts_in(result.pool, result.withdraw_tx, traders)

    table = Table("", "the chain saw", "stayed private", box=None, header_style="bold")
    table.add_row("deposit", "depositor's fresh address, token, amount, commitment", "owner, blinding")
    table.add_row("orders", "nothing (off chain)", "terms, nullifiers: matcher only; keys, balances: nobody")
    table.add_row("settlement", "relayer's address, 2 nullifiers, 4 commitments, roots, trade + order commitments, sides",
                  "assets, amounts, prices, which notes, who traded")
    table.add_row("withdraw", "relayer, fee, recipient, token, amount, nullifier, change commitment",
                  "which note, the change, the trader's deposit address")
    console.print()
    console.print(table)
    verdict = "[green]none of them[/]" if not leaks else f"[red]{', '.join(leaks)}[/]"
    console.print(f"\nsettlements searched for the assets, amounts, prices and traders' addresses, "
                  f"the relayed withdrawal for the traders' addresses: {verdict}")
    console.rule(f"[green]demo complete[/] in {time.perf_counter() - start:.1f} s" if not leaks else "[red]demo FAILED[/]")
    if leaks:
        raise click.ClickException("the chain saw private values")


def _key_cache() -> Path:
    from zk.cache import cache_dir

    path = cache_dir("keys")
    path.mkdir(parents=True, exist_ok=True)
    return path.resolve()


def proof_system_demo(name: str) -> None:
    from circuits import registry
    from zk.backends import get_backend
    from zk.curve import G1_GENERATOR, g1_add
    from zk.errors import MalformedInput
    from zk.field import R
    from zk.groth16 import DEV_ONLY_WARNING, prepare_verifying_key, prove, setup, verify_proof

    def timed(fn, *args):
        start = time.perf_counter()
        out = fn(*args)
        return out, time.perf_counter() - start

    c = registry.get(name)
    console.rule(f"zktrade proof-system demo: {name}")
    console.print(f"circuit: {registry.describe(name)}")
    console.print(f"  {c.r1cs.n_constraints:,} constraints, {c.r1cs.n_wires:,} wires, {c.r1cs.n_public} public inputs")
    console.print(f"  MSM/NTT backend: {get_backend().name}")
    fast_backend_warmup()

    console.print(f"\n[bold]1. setup[/] [yellow]({DEV_ONLY_WARNING})[/]")
    pk, t = timed(setup, c.r1cs)
    pvk = prepare_verifying_key(pk.vk)
    console.print(f"   keys for {pk.n_wires:,} wires over a QAP domain of {pk.domain_size:,}  [dim]{t:.2f} s[/]")

    console.print("\n[bold]2. prove[/]")
    witness = c.witness(c.example_inputs())
    public = c.r1cs.public_inputs(witness)
    proof, t = timed(prove, pk, c.r1cs, witness)
    console.print(f"   proof π = (A, B, C), fresh blinding r, s  [dim]{t:.2f} s[/]")
    again = prove(pk, c.r1cs, witness)
    console.print(f"   a second proof of the same witness differs: {again != proof} (zero knowledge)")

    console.print("\n[bold]3. verify[/]")
    ok, t = timed(verify_proof, pvk, proof, public)
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
