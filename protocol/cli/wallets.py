"""Wallet commands across processes on a node: wallet create|show|resume, faucet, deposit, balance.

A wallet is one SQLite file (keys, notes, orders, operations); every command that opens one
first finishes whatever an earlier, interrupted command left (`Trader.resume`).
"""

import click
from rich.table import Table

from ..errors import ProtocolError
from ..params import SIDE_NAMES
from .common import console, step
from .session import Session, print_json, chain_options, json_option, wallet_option


@click.group("wallet")
def wallet_group() -> None:
    """Create and inspect wallets (one SQLite file each: keys, notes, orders, operations)."""


@wallet_group.command("create")
@click.argument("path", type=click.Path(dir_okay=False))
def wallet_create(path: str) -> None:
    """Create a wallet: a fresh spending key, and a fresh Ethereum key for its deposits.

    Fund its address with `zktrade faucet --wallet PATH` on a devnet.

    Example: zktrade wallet create alice.wallet
    """
    from ..chain.signer import LocalAccount
    from ..wallet import Wallet

    w = Wallet.create(path)
    address = LocalAccount.address_of(w.meta("account_key"))
    console.print(f"created {path}: owner tag {hex(w.owner)[:18]}…, deposit address {address}")


@wallet_group.command("show")
@wallet_option
@chain_options
def wallet_show(wallet_path: str, rpc, deployment, keys_dir) -> None:
    """Notes (with status), open orders and unfinished operations of a wallet.

    Example: zktrade wallet show --wallet alice.wallet
    """
    s = Session(rpc, deployment, keys_dir)
    t = s.trader(wallet_path)
    table = Table("note", "amount", "status", "leaf", box=None, header_style="bold")
    for n in t.wallet.notes():
        table.add_row(hex(n.commitment)[:14] + "…", s.show_amount(n.asset, n.amount), n.status,
                      "" if n.leaf_index is None else str(n.leaf_index))
    console.print(table)
    console.print(f"deposit address {t.address}")
    for o in t.wallet.orders("open"):
        console.print(f"order {o['order_id']}: {SIDE_NAMES[int(o['side'])]} {o['remaining']} of {o['size']} (base units)")
    for op in t.wallet.pending_operations():
        console.print(f"operation {op.op_id}: {op.kind}, {op.state}")


@wallet_group.command("resume")
@wallet_option
@chain_options
def wallet_resume(wallet_path: str, rpc, deployment, keys_dir) -> None:
    """Finish what an interrupted command left (every wallet command does this first).

    Example: zktrade wallet resume --wallet alice.wallet
    """
    s = Session(rpc, deployment, keys_dir)
    t = s.trader(wallet_path)
    left = t.wallet.pending_operations()
    console.print("nothing left to finish" if not left else f"{len(left)} operation(s) wait for a settlement or a relayer")


@click.command("faucet")
@chain_options
@click.option("--token", required=True, help="Symbol of a deployed test token (or its address).")
@click.option("--amount", required=True, help="Whole tokens, e.g. 100 or 0.5.")
@click.option("--to", "recipient", default=None, help="Address to mint to.")
@click.option("--wallet", "wallet_path", default=None, type=click.Path(dir_okay=False),
              help="Or: a wallet, whose deposit address also gets ETH for gas.")
def faucet(rpc, deployment, keys_dir, token: str, amount: str, recipient: str | None, wallet_path: str | None) -> None:
    """Mint devnet test tokens (and, for a wallet, ETH for its gas).

    Example: zktrade faucet --token QUOTE --amount 1000 --wallet alice.wallet
    """
    from ..chain.signer import LocalAccount, faucet as give

    if (recipient is None) == (wallet_path is None):
        raise ProtocolError("name exactly one recipient: --to ADDRESS or --wallet PATH")
    s = Session(rpc, deployment, keys_dir)
    if wallet_path is not None:
        from ..wallet import Wallet

        recipient = LocalAccount.address_of(Wallet.open(wallet_path).meta("account_key"))
    address = s.pool.token_address(token)
    give(s.chain, s.pool.token(address), recipient, s.amount(address, amount), gas=wallet_path is not None)
    console.print(f"minted {amount} {token} to {recipient}" + (" (and ETH for gas)" if wallet_path else ""))


@click.command("deposit")
@wallet_option
@chain_options
@click.option("--token", required=True)
@click.option("--amount", required=True, help="Whole tokens.")
def deposit(wallet_path, rpc, deployment, keys_dir, token: str, amount: str) -> None:
    """Shield tokens: they move into the pool as a note only this wallet can spend.

    Example: zktrade deposit --wallet alice.wallet --token QUOTE --amount 1000
    """
    s = Session(rpc, deployment, keys_dir)
    t = s.trader(wallet_path)
    address = s.pool.token_address(token)
    with step("deposit and sync"):
        note = t.deposit(address, s.amount(address, amount))
    console.print(f"deposited {s.show_amount(note.asset, note.amount)} from {t.address}: note {hex(note.commitment)[:18]}… is {note.status}")


@click.command("balance")
@wallet_option
@chain_options
@json_option
def balance(wallet_path, rpc, deployment, keys_dir, as_json) -> None:
    """Shielded balances per token (live notes; pending ones in brackets).

    Example: zktrade balance --wallet alice.wallet
    Example: zktrade balance --wallet alice.wallet --json
    """
    s = Session(rpc, deployment, keys_dir)
    t = s.trader(wallet_path)
    balances = t.wallet.balances()
    if as_json:
        return print_json({"balances": [
            {"asset": f"0x{asset:040x}", "symbol": s.pool.symbol_of(asset), "decimals": s.decimals(f"0x{asset:040x}"),
             "live": str(b["live"]), "pending": str(b["pending"])}
            for asset, b in sorted(balances.items())]})
    if not balances:
        console.print("no notes yet: `zktrade deposit` shields tokens")
    for asset, b in sorted(balances.items()):
        pending = f"  (+{s.show_amount(asset, b['pending'])} pending)" if b["pending"] else ""
        console.print(f"{s.show_amount(asset, b['live'])}{pending}")


COMMANDS = (wallet_group, faucet, deposit, balance)
