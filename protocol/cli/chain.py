"""Chain commands: `devnet up|down|status`, `deploy`, and `export solidity|vyper`.

web3 is imported inside the commands that talk to a chain, never at CLI start-up.
"""

from pathlib import Path

import click

from zk.formats.snarkjs_json import load_vk

from ..chain import devnet as devnet_mod
from .common import console, err_console, step
from .proofs import export

DIR_OPTION = click.option("--dir", "directory", default=str(devnet_mod.DEFAULT_DIR), show_default=True,
                          type=click.Path(file_okay=False), help="Where the devnet keeps its pid file and log.")


@click.group()
def devnet() -> None:
    """A local anvil node (from the pinned npm package) on 127.0.0.1."""


@devnet.command("up")
@DIR_OPTION
@click.option("--port", type=int, default=None, help="Port to listen on (default: a free one).")
def devnet_up(directory: str, port: int | None) -> None:
    """Start anvil (or report the one already running) and print its URL.

    Example: zktrade devnet up && zktrade deploy --leg-vk leg/verification_key.json --withdraw-vk w/verification_key.json
    """
    running = devnet_mod.status(Path(directory))
    started = running or devnet_mod.up(Path(directory), port)
    state = "already running" if running else "started"
    console.print(f"anvil {state}: {started.url} (pid {started.pid}, log {started.log})")


@devnet.command("down")
@DIR_OPTION
def devnet_down(directory: str) -> None:
    """Stop the anvil that `devnet up` started.

    Example: zktrade devnet down
    """
    stopped = devnet_mod.down(Path(directory))
    console.print(f"stopped anvil at {stopped.url} (pid {stopped.pid})" if stopped else "no devnet is running")


@devnet.command("status")
@DIR_OPTION
def devnet_status(directory: str) -> None:
    """Say whether the devnet runs and answers; exit 1 if it does not.

    Example: zktrade devnet status
    """
    running = devnet_mod.status(Path(directory))
    if running is None:
        raise click.ClickException("no devnet is running (start one with `zktrade devnet up`)")
    if not devnet_mod.is_healthy(running.url):
        raise click.ClickException(f"anvil (pid {running.pid}) runs but does not answer at {running.url}; see {running.log}")
    block = int(devnet_mod.rpc(running.url, "eth_blockNumber"), 16)
    console.print(f"anvil up at {running.url} (pid {running.pid}), block {block}")


@click.command("deploy")
@click.option("--leg-vk", default=None, type=click.Path(dir_okay=False), help="verification_key.json of the settlement-leg circuit (8 public inputs); default: from --keys.")
@click.option("--withdraw-vk", default=None, type=click.Path(dir_okay=False), help="verification_key.json of the withdraw circuit (8 public inputs); default: from --keys.")
@click.option("--keys", "keys_dir", default=".zktrade/keys", show_default=True, type=click.Path(file_okay=False),
              help="Key directory of the trading commands (dev keys are made there on first use).")
@click.option("--rpc", default=None, help="JSON-RPC URL (default: the running devnet).")
@click.option("--tokens", default="BASE,QUOTE", show_default=True, help="Test tokens to deploy (comma-separated symbols; '' for none).")
@click.option("--out", default="deployment.json", show_default=True, type=click.Path(dir_okay=False))
def deploy_cmd(leg_vk: str | None, withdraw_vk: str | None, keys_dir: str, rpc: str | None, tokens: str, out: str) -> None:
    """Deploy Poseidon, both verifiers, the pool and test tokens; write their addresses to OUT.

    Example: zktrade devnet up && zktrade deploy --leg-vk leg/verification_key.json --withdraw-vk w/verification_key.json
    """
    from ..chain.client import Chain
    from ..chain.deploy import deploy_pool

    if rpc is None:
        running = devnet_mod.status()
        if running is None:
            raise click.ClickException("no chain to deploy to: start one with `zktrade devnet up` or pass --rpc URL")
        rpc = running.url
    chain = Chain.connect(rpc)
    symbols = tuple(s.strip() for s in tokens.split(",") if s.strip())
    with step(f"deploy to {rpc}"):
        record, _ = deploy_pool(chain, *_pool_keys(leg_vk, withdraw_vk, keys_dir), symbols)
    record.save(out)
    console.print(f"pool {record.pool} on chain {record.chain_id}; tokens {record.tokens}; wrote {out}")


def _pool_keys(leg_vk: str | None, withdraw_vk: str | None, keys_dir: str):
    """The verifying keys the pool checks: the given files, or the key store's (made if missing)."""
    from circuits.trade import leg_statement, withdraw_statement

    from ..keys import KeyStore

    store = KeyStore(Path(keys_dir), on_setup=lambda st: err_console.print(
        f"[yellow]dev setup of {st.name}: single-party keys, for devnets only[/]"))
    leg = load_vk(leg_vk) if leg_vk else store.keys(leg_statement()).proving_key.vk
    withdraw = load_vk(withdraw_vk) if withdraw_vk else store.keys(withdraw_statement()).proving_key.vk
    return leg, withdraw


@export.command("solidity")
@click.option("--vk", "vk_path", required=True, type=click.Path(dir_okay=False))
@click.option("--out", default=None, type=click.Path(dir_okay=False), help="Write here instead of stdout.")
@click.option("--pair", is_flag=True, help="Add verifyProofPair: two proofs checked with one 5-pair pairing.")
@click.option("--name", "contract_name", default="Groth16Verifier", show_default=True)
def export_solidity(vk_path: str, out: str | None, pair: bool, contract_name: str) -> None:
    """A Solidity verifier for the key: verifyProof(uint[2],uint[2][2],uint[2],uint[N]) returns (bool).

    Example: zktrade export solidity --vk keys/verification_key.json --out Verifier.sol
    """
    from zk.verifier_contracts.solidity import solidity_verifier

    _emit(solidity_verifier(load_vk(vk_path), contract_name, with_pair=pair), out)


@export.command("vyper")
@click.option("--vk", "vk_path", required=True, type=click.Path(dir_okay=False))
@click.option("--out", default=None, type=click.Path(dir_okay=False), help="Write here instead of stdout.")
@click.option("--pair", is_flag=True, help="Add verifyProofPair: two proofs checked with one 5-pair pairing.")
def export_vyper(vk_path: str, out: str | None, pair: bool) -> None:
    """A Vyper 0.4 verifier for the key, with the Solidity verifier's ABI.

    Example: zktrade export vyper --vk keys/verification_key.json --out verifier.vy
    """
    from zk.verifier_contracts.vyper import vyper_verifier

    _emit(vyper_verifier(load_vk(vk_path), with_pair=pair), out)


def _emit(source: str, out: str | None) -> None:
    if out is None:
        click.echo(source, nl=False)
    else:
        Path(out).write_text(source)
        err_console.print(f"wrote {out}")
