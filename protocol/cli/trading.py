"""Trading commands across processes on a node: wallet, faucet, deposit, order, match, settle,
withdraw, balance.

State: the chain (the pool's events are the ground truth), one SQLite file per wallet, the
deployment file from `zktrade deploy`, the circuit keys (--keys), and the matcher's order book
(--book, a locked JSON file). Every command that opens a wallet first finishes whatever an
earlier, interrupted command left (`Trader.resume`), so a crash at any point loses nothing.
"""

from decimal import Decimal, InvalidOperation
from pathlib import Path

import click
from rich.table import Table

from ..errors import ProtocolError
from ..params import BUY, PRICE_SCALE, SELL, SIDE_NAMES
from .common import console, err_console, fast_backend_warmup, step

DEFAULT_KEYS = ".zktrade/keys"
DEFAULT_BOOK = ".zktrade/book.json"


def chain_options(fn):
    fn = click.option("--rpc", default=None, help="JSON-RPC URL (default: the running `zktrade devnet`).")(fn)
    fn = click.option("--deployment", default="deployment.json", show_default=True,
                      type=click.Path(dir_okay=False), help="Addresses written by `zktrade deploy`.")(fn)
    fn = click.option("--keys", "keys_dir", default=DEFAULT_KEYS, show_default=True, type=click.Path(file_okay=False),
                      help="Circuit keys (made with a dev setup on first use).")(fn)
    return fn


def wallet_option(fn):
    return click.option("--wallet", "wallet_path", required=True, type=click.Path(dir_okay=False),
                        help="The wallet file (`zktrade wallet create`).")(fn)


def book_option(fn):
    return click.option("--book", "book_path", default=DEFAULT_BOOK, show_default=True, type=click.Path(dir_okay=False),
                        help="The matcher's order book.")(fn)


class Session:
    """The chain, the pool and the keys, connected lazily (web3 loads only when needed)."""

    def __init__(self, rpc: str | None, deployment: str, keys_dir: str):
        from ..chain import devnet
        from ..chain.client import Chain
        from ..chain.deploy import Deployment
        from ..keys import KeyStore
        from ..pool import PoolClient

        if rpc is None:
            running = devnet.status()
            if running is None:
                raise ProtocolError("no chain: start one with `zktrade devnet up` (then `zktrade deploy`) or pass --rpc URL")
            rpc = running.url
        self.chain = Chain.connect(rpc)
        record = Deployment.load(deployment)
        if record.chain_id != self.chain.w3.eth.chain_id:
            raise ProtocolError(f"{deployment} is for chain {record.chain_id}, but {rpc} is chain {self.chain.w3.eth.chain_id}")
        self.pool = PoolClient(self.chain, record)
        self.keys = KeyStore(Path(keys_dir), on_setup=_announce_setup)

    def trader(self, wallet_path: str, quiet: bool = False):
        from ..trader import Trader
        from ..wallet import Wallet

        wallet = Wallet.open(wallet_path)
        account = wallet.meta("account")
        trader = Trader(wallet, self.pool, self.keys, account)
        for line in trader.resume():
            err_console.print(f"[yellow]recovered[/] {line}")
        return trader

    def decimals(self, token: str) -> int:
        return int(self.chain.call(self.pool.token(token).functions.decimals()))

    def amount(self, token: str, text: str) -> int:
        """Whole-token text ('1.5') in the token's base units."""
        return _scaled(text, self.decimals(token), "amount")

    def show_amount(self, asset: int, amount: int) -> str:
        d = self.decimals(f"0x{asset:040x}")
        return f"{Decimal(amount) / (Decimal(10) ** d):f} {self.pool.symbol_of(asset)}"


def _announce_setup(statement) -> None:
    err_console.print(f"[yellow]dev setup of {statement.name} ({statement.r1cs.n_constraints:,} constraints): "
                      "single-party keys, for devnets only; cached for later commands[/]")


def _scaled(text: str, decimals: int, what: str) -> int:
    try:
        value = Decimal(text) * (Decimal(10) ** decimals)
    except InvalidOperation:
        raise ProtocolError(f"{what} {text!r} is not a number") from None
    if value != value.to_integral_value() or value <= 0:
        raise ProtocolError(f"{what} {text} must be positive with at most {decimals} decimals")
    return int(value)


# --- wallet ----------------------------------------------------------------------------------


@click.group()
def wallet() -> None:
    """Create and inspect wallets (one SQLite file each: keys, notes, orders, operations)."""


@wallet.command("create")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--account", required=True, help="The Ethereum address this wallet deposits from and pays gas with.")
def wallet_create(path: str, account: str) -> None:
    """Create a wallet with a fresh spending key.

    Example: zktrade wallet create alice.wallet --account 0x70997970C51812dc3A010C7d01b50e0d17dc79C8
    """
    from ..wallet import Wallet

    if not (account.startswith("0x") and len(account) == 42):
        raise ProtocolError(f"--account {account!r} is not an address (0x followed by 40 hex digits)")
    w = Wallet.create(path)
    w.set_meta("account", account)
    console.print(f"created {path}: owner tag {hex(w.owner)[:18]}…, account {account}")


@wallet.command("show")
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
    for o in t.wallet.orders("open"):
        console.print(f"order {o['order_id']}: {SIDE_NAMES[int(o['side'])]} {o['remaining']} of {o['size']} (base units)")
    for op in t.wallet.pending_operations():
        console.print(f"operation {op.op_id}: {op.kind}, {op.state}")


@wallet.command("resume")
@wallet_option
@chain_options
def wallet_resume(wallet_path: str, rpc, deployment, keys_dir) -> None:
    """Finish what an interrupted command left (every wallet command does this first).

    Example: zktrade wallet resume --wallet alice.wallet
    """
    s = Session(rpc, deployment, keys_dir)
    t = s.trader(wallet_path)
    left = t.wallet.pending_operations()
    console.print("nothing left to finish" if not left else f"{len(left)} operation(s) wait for a settlement transaction")


@click.command("faucet")
@chain_options
@click.option("--token", required=True, help="Symbol of a deployed test token (or its address).")
@click.option("--amount", required=True, help="Whole tokens, e.g. 100 or 0.5.")
@click.option("--to", "recipient", required=True, help="Address to mint to.")
def faucet(rpc, deployment, keys_dir, token: str, amount: str, recipient: str) -> None:
    """Mint devnet test tokens.

    Example: zktrade faucet --token QUOTE --amount 1000 --to 0x70997970C51812dc3A010C7d01b50e0d17dc79C8
    """
    s = Session(rpc, deployment, keys_dir)
    address = s.pool.token_address(token)
    s.chain.transact(s.pool.token(address).functions.mint(recipient, s.amount(address, amount)))
    console.print(f"minted {amount} {token} to {recipient}")


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
    console.print(f"deposited {s.show_amount(note.asset, note.amount)}: note {hex(note.commitment)[:18]}… is live")


@click.command("balance")
@wallet_option
@chain_options
def balance(wallet_path, rpc, deployment, keys_dir) -> None:
    """Shielded balances per token (live notes; pending ones in brackets).

    Example: zktrade balance --wallet alice.wallet
    """
    s = Session(rpc, deployment, keys_dir)
    t = s.trader(wallet_path)
    balances = t.wallet.balances()
    if not balances:
        console.print("no notes yet: `zktrade deposit` shields tokens")
    for asset, b in sorted(balances.items()):
        pending = f"  (+{s.show_amount(asset, b['pending'])} pending)" if b["pending"] else ""
        console.print(f"{s.show_amount(asset, b['live'])}{pending}")


# --- orders and matching ---------------------------------------------------------------------


@click.group()
def order() -> None:
    """Place, cancel and list orders (each placed with a collateral proof the matcher checks)."""


def _matcher(s: Session):
    from circuits.trade import collateral_statement

    from ..matcher import Matcher

    return Matcher(s.keys.keys(collateral_statement()), s.pool.is_known_root)


def _store(book_path: str):
    from ..matcher_store import MatcherStore

    return MatcherStore(book_path)


@order.command("place")
@wallet_option
@chain_options
@book_option
@click.option("--side", type=click.Choice(["buy", "sell"]), required=True)
@click.option("--base", required=True, help="The token bought or sold.")
@click.option("--quote", required=True, help="The token prices are in.")
@click.option("--size", required=True, help="Whole base tokens.")
@click.option("--price", required=True, help="Limit: quote tokens per base token (at most for a buy, at least for a sell).")
def order_place(wallet_path, rpc, deployment, keys_dir, book_path, side, base, quote, size, price) -> None:
    """Prove collateral for a limit order and book it; prints the trades it made at once.

    Example: zktrade order place --wallet alice.wallet --side buy --base BASE --quote QUOTE --size 6 --price 150
    """
    s = Session(rpc, deployment, keys_dir)
    t = s.trader(wallet_path)
    fast_backend_warmup()
    base_addr, quote_addr = s.pool.token_address(base), s.pool.token_address(quote)
    size_units = s.amount(base_addr, size)
    limit = _price(price, s.decimals(base_addr), s.decimals(quote_addr))
    with step("prove collateral"):
        ticket = t.place_order(BUY if side == "buy" else SELL, base_addr, quote_addr, size_units, limit)
    matcher = _matcher(s)
    with _store(book_path).session(matcher):
        trades = matcher.submit(ticket)
    console.print(f"order {ticket.order.order_id} booked ({side} {size} {base} at {price} {quote})")
    for tr in trades:
        console.print(f"  matched: trade {hex(tr.fill.commitment)[:14]}…: {s.show_amount(tr.fill.base_asset, tr.fill.base_amount)} "
                      f"for {s.show_amount(tr.fill.quote_asset, tr.fill.quote_amount)}; run `zktrade settle` with each wallet")


def _price(text: str, base_decimals: int, quote_decimals: int) -> int:
    """Quote tokens per base token → quote base units per base base unit × PRICE_SCALE."""
    try:
        value = Decimal(text) * PRICE_SCALE * (Decimal(10) ** (quote_decimals - base_decimals))
    except InvalidOperation:
        raise ProtocolError(f"price {text!r} is not a number") from None
    if value <= 0 or value != value.to_integral_value():
        raise ProtocolError(f"price {text} is not positive or has more precision than 1e-9 quote units per base unit")
    return int(value)


@order.command("rest")
@wallet_option
@click.argument("order_id")
@chain_options
@book_option
def order_rest(wallet_path, order_id, rpc, deployment, keys_dir, book_path) -> None:
    """Book what is left of a partly filled order as a new order with fresh collateral.

    A fill spends the note behind an order, so the matcher suspends the rest until its owner
    proves collateral for it again (usually with the fill's change note, once settled).

    Example: zktrade order rest --wallet alice.wallet o-1a2b3c4d
    """
    s = Session(rpc, deployment, keys_dir)
    t = s.trader(wallet_path)
    fast_backend_warmup()
    with step("prove collateral"):
        ticket = t.place_rest(order_id)
    matcher = _matcher(s)
    with _store(book_path).session(matcher):
        trades = matcher.replace(order_id, ticket)
    console.print(f"the rest of {order_id} is order {ticket.order.order_id}; {len(trades)} trade(s) made at once")


@order.command("cancel")
@wallet_option
@click.argument("order_id")
@chain_options
@book_option
def order_cancel(wallet_path, order_id, rpc, deployment, keys_dir, book_path) -> None:
    """Take an order off the book (its note is free to back another order).

    Example: zktrade order cancel --wallet alice.wallet o-1a2b3c4d
    """
    s = Session(rpc, deployment, keys_dir)
    t = s.trader(wallet_path)
    t.order(order_id)  # refuses an order of another wallet
    matcher = _matcher(s)
    with _store(book_path).session(matcher):
        matcher.cancel(order_id)
    t.wallet.update_order(order_id, status="cancelled")
    console.print(f"cancelled {order_id}")


@order.command("list")
@chain_options
@book_option
def order_list(rpc, deployment, keys_dir, book_path) -> None:
    """The book as the matcher sees it: open and suspended orders.

    Example: zktrade order list
    """
    s = Session(rpc, deployment, keys_dir)
    matcher = _matcher(s)
    with _store(book_path).session(matcher):
        rows = [*matcher.book.orders.values(), *matcher.suspended.values()]
        table = Table("order", "trader", "side", "remaining", "limit", "status", box=None, header_style="bold")
        for o in sorted(rows, key=lambda o: o.seq):
            table.add_row(o.order_id, o.owner, SIDE_NAMES[o.side], s.show_amount(o.base_asset, o.remaining),
                          f"{Decimal(o.limit_price) / PRICE_SCALE:f}", matcher.order_status(o.order_id))
    console.print(table)


@click.command("match")
@chain_options
@book_option
def match(rpc, deployment, keys_dir, book_path) -> None:
    """Trades the matcher made, and which legs each still waits for.

    Orders match as they are placed (price-time priority, at the maker's price); this lists
    the fills and their settlement state.

    Example: zktrade match
    """
    s = Session(rpc, deployment, keys_dir)
    matcher = _matcher(s)
    with _store(book_path).session(matcher) as state:
        for tr in matcher.trades:
            key = str(tr.fill.commitment)
            legs = state["legs"].get(key, {})
            done = "settled" if key in state["settled"] else f"legs: {', '.join(sorted(legs)) or 'none yet'}"
            console.print(f"trade {hex(tr.fill.commitment)[:14]}… buy {tr.buy_order_id} / sell {tr.sell_order_id}: "
                          f"{s.show_amount(tr.fill.base_asset, tr.fill.base_amount)} for "
                          f"{s.show_amount(tr.fill.quote_asset, tr.fill.quote_amount)} — {done}")
        if not matcher.trades:
            console.print("no trades yet")


@click.command("settle")
@click.option("--wallet", "wallet_path", default=None, type=click.Path(dir_okay=False),
              help="Prove this wallet's legs first (omit to only submit trades whose legs are all in).")
@chain_options
@book_option
def settle(wallet_path, rpc, deployment, keys_dir, book_path) -> None:
    """Prove this wallet's settlement legs, then submit every trade whose two legs are in.

    Example: zktrade settle --wallet alice.wallet && zktrade settle --wallet bob.wallet
    """
    from ..trader import LegProof

    s = Session(rpc, deployment, keys_dir)
    trader = s.trader(wallet_path) if wallet_path else None
    if trader:
        fast_backend_warmup()
    matcher = _matcher(s)
    with _store(book_path).session(matcher) as state:
        for tr in matcher.trades:
            key = str(tr.fill.commitment)
            if key in state["settled"]:
                continue
            legs = state["legs"].setdefault(key, {})
            for side, order_id in (("buy", tr.buy_order_id), ("sell", tr.sell_order_id)):
                if trader and side not in legs and trader._has_order(order_id):
                    with step(f"prove the {side} leg"):
                        legs[side] = trader.prove_leg(tr).to_json()
                    console.print(f"proved the {side} leg of trade {hex(tr.fill.commitment)[:14]}…")
            if len(legs) == 2:
                sender = trader.account if trader else s.chain.accounts[0]
                receipt = s.pool.settle(sender, LegProof.from_json(legs["buy"]), LegProof.from_json(legs["sell"]))
                state["settled"].append(key)
                console.print(f"settled trade {hex(tr.fill.commitment)[:14]}… in tx {receipt.tx_hash} ({receipt.gas_used:,} gas)")
    if trader:
        trader.sync()


@click.command("withdraw")
@wallet_option
@chain_options
@click.option("--token", required=True)
@click.option("--amount", required=True, help="Whole tokens.")
@click.option("--to", "recipient", required=True, help="The address that receives the tokens (bound by the proof).")
def withdraw(wallet_path, rpc, deployment, keys_dir, token, amount, recipient) -> None:
    """Unshield tokens to an address; the rest of the note stays shielded as change.

    Example: zktrade withdraw --wallet bob.wallet --token QUOTE --amount 250 --to 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC
    """
    s = Session(rpc, deployment, keys_dir)
    t = s.trader(wallet_path)
    fast_backend_warmup()
    address = s.pool.token_address(token)
    with step("prove and send the withdrawal"):
        change, receipt = t.withdraw(address, s.amount(address, amount), recipient)
    console.print(f"withdrew {amount} {token} to {recipient} in tx {receipt.tx_hash}; "
                  f"{s.show_amount(change.asset, change.amount)} stay shielded")


COMMANDS = (wallet, faucet, deposit, balance, order, match, settle, withdraw)
