"""Trading commands across processes on a node: order, match, settle, withdraw (the wallet
commands are in protocol/cli/wallets.py).

State: the chain (the pool's events are the ground truth), one SQLite file per wallet, the
deployment file from `zktrade deploy`, the circuit keys (--keys), and the matcher's database
(--matcher, SQLite: orders, fills, legs, settlements, and the relayer's key), or the matcher
service's URL (`--matcher http://...` or ZKTRADE_MATCHER_URL: protocol/venue.py's RemoteVenue). Every command that
opens a wallet first finishes whatever an earlier, interrupted command left (`Trader.resume`),
so a crash at any point loses nothing. Each command parses, calls one library function
(protocol/venue.py, protocol/trader.py) and prints.
"""

from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

import click
from rich.table import Table

from ..errors import ProtocolError
from ..params import BUY, PRICE_SCALE, SELL, SIDE_NAMES
from .common import console, fast_backend_warmup, step
from .session import Session, print_json, chain_options, json_option, matcher_option, wallet_option


# --- orders and matching ---------------------------------------------------------------------


@click.group()
def order() -> None:
    """Place, cancel and list orders (each placed with a collateral proof the matcher checks)."""


@order.command("place")
@wallet_option
@chain_options
@matcher_option
@click.option("--side", type=click.Choice(["buy", "sell"]), required=True)
@click.option("--base", required=True, help="The token bought or sold.")
@click.option("--quote", required=True, help="The token prices are in.")
@click.option("--size", required=True, help="Whole base tokens.")
@click.option("--price", required=True, help="Limit: quote tokens per base token (at most for a buy, at least for a sell).")
def order_place(wallet_path, rpc, deployment, keys_dir, matcher_path, side, base, quote, size, price) -> None:
    """Prove collateral for a limit order and book it; prints the fills it made at once.

    Example: zktrade order place --wallet alice.wallet --side buy --base BASE --quote QUOTE --size 6 --price 150
    """
    s = Session(rpc, deployment, keys_dir)
    t = s.trader(wallet_path)
    fast_backend_warmup()
    base_addr, quote_addr = s.pool.token_address(base), s.pool.token_address(quote)
    size_units = s.amount(base_addr, size)
    limit = _price(price, s.decimals(base_addr), s.decimals(quote_addr))
    with step("prove collateral and book"):
        ticket, trades = s.venue(matcher_path).place(t, BUY if side == "buy" else SELL, base_addr, quote_addr,
                                                     size_units, limit)
    console.print(f"order {ticket.order.order_id} booked ({side} {size} {base} at {price} {quote})")
    for tr in trades:
        console.print(f"  matched: trade {hex(tr.trade_commitment)[:14]}…: {s.show_amount(tr.fill.base_asset, tr.fill.base_amount)} "
                      f"for {s.show_amount(tr.fill.quote_asset, tr.fill.quote_amount)}, legs due by {_when(tr.fill.deadline)}; "
                      "run `zktrade settle` with each wallet")


def _price(text: str, base_decimals: int, quote_decimals: int) -> int:
    """Quote tokens per base token → quote base units per base base unit × PRICE_SCALE."""
    try:
        value = Decimal(text) * PRICE_SCALE * (Decimal(10) ** (quote_decimals - base_decimals))
    except InvalidOperation:
        raise ProtocolError(f"price {text!r} is not a number") from None
    if value <= 0 or value != value.to_integral_value():
        raise ProtocolError(f"price {text} is not positive or has more precision than 1e-9 quote units per base unit")
    return int(value)


def _when(deadline: int) -> str:
    return datetime.fromtimestamp(deadline, timezone.utc).strftime("%H:%M:%S UTC")


@order.command("cancel")
@wallet_option
@click.argument("order_id")
@chain_options
@matcher_option
def order_cancel(wallet_path, order_id, rpc, deployment, keys_dir, matcher_path) -> None:
    """Take an order off the book; its fills still waiting for legs are revoked.

    Example: zktrade order cancel --wallet alice.wallet o-1a2b3c4d
    """
    s = Session(rpc, deployment, keys_dir)
    made = s.venue(matcher_path).cancel(s.trader(wallet_path), order_id)
    count = made if isinstance(made, int) else len(made)  # the service tells a count, not others' fills
    console.print(f"cancelled {order_id}" + (f"; {count} fill(s) made as counterparties re-entered the book" if count else ""))


@order.command("list")
@wallet_option
@chain_options
@matcher_option
@json_option
def order_list(wallet_path, rpc, deployment, keys_dir, matcher_path, as_json) -> None:
    """This wallet's orders and what the matcher says of each (the book is dark: nobody sees others').

    Example: zktrade order list --wallet alice.wallet
    Example: zktrade order list --wallet alice.wallet --json
    """
    from ..messages import Order

    s = Session(rpc, deployment, keys_dir)
    t = s.trader(wallet_path)
    venue = s.venue(matcher_path)
    if as_json:
        orders = [(Order.from_json(o), o) for o in t.wallet.orders()]
        return print_json({"orders": [
            {"order_id": order.order_id, "side": SIDE_NAMES[order.side], "base_asset": f"0x{order.base_asset:040x}",
             "quote_asset": f"0x{order.quote_asset:040x}", "size": str(order.size),
             "limit_price": str(order.limit_price), "price_scale": PRICE_SCALE, "wallet_status": row["status"],
             "matcher_status": venue.order_status(t, order.order_id)}
            for order, row in orders]})
    table = Table("order", "side", "size", "limit", "wallet", "matcher", box=None, header_style="bold")
    for o in t.wallet.orders():
        order = Order.from_json(o)
        table.add_row(order.order_id, SIDE_NAMES[order.side], s.show_amount(order.base_asset, order.size),
                      f"{Decimal(order.limit_price) / PRICE_SCALE:f}", o["status"], venue.order_status(t, order.order_id))
    console.print(table)


@click.command("match")
@click.option("--wallet", "wallet_path", default=None, type=click.Path(dir_okay=False),
              help="Only this wallet's fills (needed with a matcher URL: the service shows each trader only its own).")
@chain_options
@matcher_option
@json_option
def match(wallet_path, rpc, deployment, keys_dir, matcher_path, as_json) -> None:
    """The fills the matcher made and where each settlement stands (the operator's view of its
    database, or with --wallet one trader's own fills).

    Orders match as they are placed (price-time priority, at the maker's price); this lists
    the fills, their deadlines and their settlement state.

    Example: zktrade match
    Example: zktrade match --json
    Example: zktrade match --wallet alice.wallet --matcher http://127.0.0.1:8650
    """
    s = Session(rpc, deployment, keys_dir)
    trader = s.trader(wallet_path) if wallet_path else None
    rows = s.venue(matcher_path).fills(trader)
    if as_json:
        return print_json({"trades": [
            {"trade_commitment": hex(t.trade.trade_commitment), "buy_order_id": t.trade.buy_order_id,
             "sell_order_id": t.trade.sell_order_id, "base_asset": f"0x{t.trade.fill.base_asset:040x}",
             "quote_asset": f"0x{t.trade.fill.quote_asset:040x}", "base_amount": str(t.trade.fill.base_amount),
             "quote_amount": str(t.trade.fill.quote_amount), "deadline": t.deadline, "state": t.state,
             "legs": list(t.legs), "tx_hash": t.tx_hash, "reason": t.reason}
            for t in rows]})
    for t in rows:
        legs = ", ".join(t.legs) or "none yet"
        console.print(f"trade {hex(t.trade.trade_commitment)[:14]}… buy {t.trade.buy_order_id} / sell {t.trade.sell_order_id}: "
                      f"{s.show_amount(t.trade.fill.base_asset, t.trade.fill.base_amount)} for "
                      f"{s.show_amount(t.trade.fill.quote_asset, t.trade.fill.quote_amount)}, due {_when(t.deadline)}: "
                      f"{t.state} (legs: {legs}){' — ' + t.reason if t.reason else ''}")
    if not rows:
        console.print("no trades yet")


@click.command("settle")
@click.option("--wallet", "wallet_path", default=None, type=click.Path(dir_okay=False),
              help="Prove this wallet's legs first (omit to only drive the settlements).")
@chain_options
@matcher_option
def settle(wallet_path, rpc, deployment, keys_dir, matcher_path) -> None:
    """Prove this wallet's settlement legs, then let the coordinator relay every trade whose
    two legs are in (and expire the ones past their deadline).

    Example: zktrade settle --wallet alice.wallet && zktrade settle --wallet bob.wallet
    """
    s = Session(rpc, deployment, keys_dir)
    trader = s.trader(wallet_path) if wallet_path else None
    if trader:
        fast_backend_warmup()
    with step("prove legs and settle"):
        done = s.venue(matcher_path).settle(trader)
    for leg in done.legs:
        console.print(f"proved the {SIDE_NAMES[leg.side]} leg of trade {hex(leg.trade_commitment)[:14]}…")
    for o in done.outcomes:
        verb = "settled" if o.state == "settled" else o.state
        console.print(f"{verb} trade {hex(o.trade_commitment)[:14]}…{': ' + o.detail if o.detail else ''}")
    if not done.legs and not done.outcomes:
        console.print("nothing to prove or settle now")


@click.command("withdraw")
@wallet_option
@chain_options
@matcher_option
@click.option("--token", required=True)
@click.option("--amount", required=True, help="Whole tokens (the fee included).")
@click.option("--to", "recipient", required=True, help="The address that receives the tokens (bound by the proof).")
@click.option("--relayer", "relayed", is_flag=True,
              help="Have the matcher's relayer send it: no transaction from this wallet's address.")
@click.option("--fee", default="0", show_default=True, help="Whole tokens for the relayer, out of --amount.")
def withdraw(wallet_path, rpc, deployment, keys_dir, matcher_path, token, amount, recipient, relayed, fee) -> None:
    """Unshield tokens to an address; the rest of the note stays shielded as change.

    With --relayer the matcher's account submits it and gets --fee, so --to can be a fresh
    address that never held ETH.

    Example: zktrade withdraw --wallet bob.wallet --token QUOTE --amount 250 --to 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC --relayer --fee 1
    """
    s = Session(rpc, deployment, keys_dir)
    t = s.trader(wallet_path)
    fast_backend_warmup()
    address = s.pool.token_address(token)
    fee_units = 0 if Decimal(fee or "0") == 0 else s.amount(address, fee)
    if fee_units and not relayed:
        raise ProtocolError("--fee pays a relayer: add --relayer, or drop --fee")
    with step("prove and send the withdrawal"):
        change, tx_hash = s.venue(matcher_path).withdraw(t, address, s.amount(address, amount), recipient, relayed, fee_units)
    console.print(f"withdrew {amount} {token} to {recipient} in tx {tx_hash}"
                  + (f" (relayed, fee {fee} {token})" if relayed else "") + f"; {s.show_amount(change.asset, change.amount)} stay shielded")


COMMANDS = (order, match, settle, withdraw)
