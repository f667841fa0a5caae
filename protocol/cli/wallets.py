"""Wallet commands across processes on a node: wallet create|restore|show|resume|export-viewing-key|audit,
faucet, deposit, balance.

A wallet is one SQLite file (its words sealed under a passphrase, notes, orders, operations);
every command that opens one first finishes whatever an earlier, interrupted command left
(`Trader.resume`).
"""

import sys
from pathlib import Path

import click
from rich.table import Table

from ..errors import ProtocolError
from ..params import SIDE_NAMES
from .common import console, err_console, step
from .session import Session, print_json, chain_options, json_option, wallet_option


@click.group("wallet")
def wallet_group() -> None:
    """Create, restore and inspect wallets (one SQLite file each: sealed words, notes, orders, operations)."""


def _new_passphrase(no_passphrase: bool) -> str | None:
    """The new wallet's passphrase (ZKTRADE_WALLET_PASSPHRASE, else asked twice), or None."""
    from .. import vault

    if no_passphrase:
        err_console.print("[bold yellow]--no-passphrase: the words are sealed under a public passphrase; anyone "
                          "who can read this file can spend its notes (devnets only)[/]")
        return None
    return vault.passphrase(confirm=True)


def _show_words(words: str) -> None:
    err_console.print("[bold yellow]Your seed phrase (shown once). Write these words down and keep them "
                      "offline: they are the only way to restore this wallet and its money.[/]")
    err_console.print(words, soft_wrap=True)


@wallet_group.command("create")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--no-passphrase", is_flag=True,
              help="Devnet convenience: do not protect the file with a passphrase (says so on creation).")
def wallet_create(path: str, no_passphrase: bool) -> None:
    """Create a wallet from 24 fresh BIP-39 words (shown once, on stderr: write them down).

    The words are sealed in the file under a passphrase (asked twice, or ZKTRADE_WALLET_PASSPHRASE);
    the file (mode 0600) holds no other secret. Fund its address with `zktrade faucet --wallet PATH`.

    Example: zktrade wallet create alice.wallet
    Example: zktrade wallet create dev.wallet --no-passphrase
    """
    from ..seed import new_words
    from ..wallet import Wallet, WalletError

    if Path(path).exists():
        raise WalletError(f"wallet {path} already exists: open it instead of creating it")
    passphrase = _new_passphrase(no_passphrase)
    words = new_words()
    w = Wallet.create(path, passphrase=passphrase, words=words)
    _show_words(words)
    console.print(f"created {path}: owner tag {hex(w.owner)[:18]}…, deposit address {w.address}"
                  + ("" if w.protected else " (no passphrase)"))


def _read_words(words: str | None) -> str:
    if words is not None:
        return words
    if sys.stdin.isatty():
        return click.prompt("seed phrase (24 words)", hide_input=True)
    return sys.stdin.readline()


@wallet_group.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--words", default=None, help="The seed phrase (default: asked for, or read from stdin).")
@click.option("--no-passphrase", is_flag=True, help="Devnet convenience: do not protect the new file.")
@chain_options
def wallet_restore(path: str, words: str | None, no_passphrase: bool, rpc, deployment, keys_dir) -> None:
    """Rebuild a wallet from its words and the chain alone: its notes (live and spent), balances
    and note counter, found through the memos every note carries. Orders are not restored (they
    live at the matcher).

    Example: zktrade wallet restore alice.wallet --words "abandon … art"
    """
    from ..recovery import restore
    from ..seed import seed_from_words
    from ..wallet import Wallet, WalletError

    if Path(path).exists():
        raise WalletError(f"wallet {path} already exists: restore into a new file")
    words = " ".join(_read_words(words).split())
    seed_from_words(words)  # a mistyped phrase is refused before anything else happens
    s = Session(rpc, deployment, keys_dir)
    passphrase = _new_passphrase(no_passphrase)
    w = Wallet.create(path, passphrase=passphrase, words=words)
    try:
        with step("scan the pool's memos"):
            found = restore(w, s.pool)
    except BaseException:
        w.close()
        Path(path).unlink(missing_ok=True)
        raise
    live = [n for n in w.notes() if n.status == "live"]
    console.print(f"restored {path}: {len(found)} note(s) found on chain, {len(live)} live")
    for asset, b in sorted(w.balances().items()):
        console.print(f"  {s.show_amount(asset, b['live'])}")


@wallet_group.command("export-viewing-key")
@wallet_option
def wallet_export_viewing_key(wallet_path: str) -> None:
    """Print the wallet's viewing key and owner tag, for an auditor: with them
    `zktrade wallet audit` lists every note this wallet made (asset, amount, kind). They cannot
    spend, and cannot tell which notes are spent.

    Example: zktrade wallet export-viewing-key --wallet alice.wallet
    """
    from ..wallet import Wallet

    w = Wallet.open(wallet_path)
    click.echo(f"viewing key: {w.viewing_key.export()}")
    click.echo(f"owner tag:   {w.owner:#066x}")


@wallet_group.command("audit")
@click.option("--viewing-key", "viewing_key", required=True, help="zkview1:… from `wallet export-viewing-key`.")
@click.option("--owner", "owner_tag", required=True, help="The owner tag (0x…) printed with the viewing key.")
@chain_options
@json_option
def wallet_audit(viewing_key: str, owner_tag: str, rpc, deployment, keys_dir, as_json) -> None:
    """List the notes a viewing key opens (an auditor's view: no spending key, no spent status).

    Example: zktrade wallet audit --viewing-key zkview1:… --owner 0x…
    """
    from ..errors import InvalidValue
    from ..memo import ViewingKey
    from ..recovery import scan

    key = ViewingKey.from_export(viewing_key)
    try:
        owner = int(owner_tag, 16)
    except ValueError:
        raise InvalidValue("--owner must be the 0x… owner tag printed by `zktrade wallet export-viewing-key`") from None
    s = Session(rpc, deployment, keys_dir)
    found = scan(s.pool, key, owner)
    if as_json:
        return print_json({"notes": [
            {"leaf": f.leaf_index, "kind": f.kind, "asset": f"0x{f.note.asset:040x}", "amount": str(f.note.amount),
             "block": f.block_number} for f in found]})
    table = Table("leaf", "kind", "amount", "block", box=None, header_style="bold")
    for f in found:
        table.add_row(str(f.leaf_index), f.kind, s.show_amount(f.note.asset, f.note.amount), str(f.block_number))
    console.print(table)
    console.print(f"{len(found)} note(s); whether each is spent is not visible to a viewing key")


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

        recipient = LocalAccount.address_of(Wallet.open(wallet_path).account_key)
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
