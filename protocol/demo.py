"""The whole story in one run: three traders shield tokens from their own fresh addresses, place
orders with collateral proofs, a buyer sweeps two sellers at two prices (two fills, chained
legs), the matcher's relayer settles both on chain, and a seller unshields through the relayer
to an address that never held anything.

`run_demo` does the work and reports each step through `show(step, seconds, lines)`; the CLI
(`zktrade demo`) prints it, and the end-to-end tests run it and check the outcome.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from circuits.trade import collateral_statement, leg_statement, withdraw_statement

from .chain.client import Chain
from .chain.deploy import deploy_pool
from .chain.signer import LocalAccount, faucet, new_private_key
from .keys import KeyStore
from .messages import Trade
from .params import BUY, PRICE_SCALE, SELL
from .pool import PoolClient
from .trader import Trader
from .venue import Venue
from .wallet import Wallet

UNIT = 10**18  # both test tokens have 18 decimals
WITHDRAW_FEE = UNIT  # 1 USDC to the relayer


def units(amount: int) -> str:
    whole, frac = divmod(amount, UNIT)
    return f"{whole:,}" + (f".{frac:018d}".rstrip("0") if frac else "")


@dataclass
class DemoResult:
    pool: PoolClient
    traders: dict[str, Trader]
    trades: list[Trade]
    settle_txs: list[str]
    withdraw_tx: str
    recipient: str
    relayer: str
    timings: dict[str, float] = field(default_factory=dict)

    def token_balance(self, symbol: str, owner: str) -> int:
        return self.pool.token_balance(self.pool.deployment.tokens[symbol], owner)


Show = Callable[[str, float, list[str]], None]


def run_demo(chain: Chain, home: Path, show: Show, on_setup=None) -> DemoResult:
    """Run the trading story on `chain`, keeping keys, wallets and the matcher under `home`."""
    timings: dict[str, float] = {}

    def step(name: str, fn):
        start = time.perf_counter()
        lines = fn()
        timings[name] = time.perf_counter() - start
        show(name, timings[name], lines)

    keys = KeyStore(home / "keys", on_setup=on_setup)
    state: dict = {}

    def make_keys():
        out = []
        for statement in (collateral_statement(), leg_statement(), withdraw_statement()):
            k = keys.keys(statement)
            out.append(f"{statement.name:<11} {statement.r1cs.n_constraints:>6,} constraints, "
                       f"{k.proving_key.vk.n_public} public inputs")
        return out + ["DEV-ONLY keys from a single-party setup: use `zktrade ceremony` for real value"]

    step("circuit keys", make_keys)

    def deploy():
        record, _ = deploy_pool(chain, keys.keys(leg_statement()).proving_key.vk,
                                keys.keys(withdraw_statement()).proving_key.vk, ("WETH", "USDC"))
        state["pool"] = pool = PoolClient(chain, record)
        for name in ("matcher.sqlite", "matcher.sqlite-wal", "matcher.sqlite-shm"):
            (home / name).unlink(missing_ok=True)
        state["venue"] = venue = Venue(pool, keys, home / "matcher.sqlite")
        return [f"pool {pool.address}", f"tokens WETH {record.tokens['WETH']}, USDC {record.tokens['USDC']}",
                "verifiers: settlement leg (two proofs in one pairing), withdraw",
                f"matcher's relayer account {venue.relayer.address} (its own key; it sends every settlement)"]

    step("deploy contracts", deploy)
    pool: PoolClient = state["pool"]
    venue: Venue = state["venue"]
    weth, usdc = pool.deployment.tokens["WETH"], pool.deployment.tokens["USDC"]

    traders = {}
    for name in ("alice", "bob", "carol"):
        wallet_path = home / f"{name}.wallet"
        wallet_path.unlink(missing_ok=True)
        traders[name] = Trader(Wallet.create(wallet_path, name), pool, keys)
    alice, bob, carol = traders["alice"], traders["bob"], traders["carol"]

    def deposits():
        for t, token, amount in ((alice, usdc, 1_000 * UNIT), (bob, weth, 4 * UNIT), (carol, weth, 2 * UNIT)):
            faucet(chain, pool.token(token), t.address, amount, gas=True)
            t.deposit(token, amount)
        return ["alice shields 1,000 USDC, bob 4 WETH, carol 2 WETH, each from a fresh address of their wallet",
                "chain sees: each depositor's address, token and amount, and the new commitment"]

    step("deposit (shield)", deposits)

    def orders():
        for t in traders.values():
            t.sync()
        _, made = venue.place(bob, SELL, weth, usdc, 4 * UNIT, 140 * PRICE_SCALE)
        _, made2 = venue.place(carol, SELL, weth, usdc, 2 * UNIT, 145 * PRICE_SCALE)
        _, trades = venue.place(alice, BUY, weth, usdc, 6 * UNIT, 150 * PRICE_SCALE)
        if made or made2 or len(trades) != 2:
            raise RuntimeError(f"the demo expected one sweep of two fills, the matcher made {len(trades)}")
        state["trades"] = trades
        return ["bob:   sell 4 WETH at ≥ 140 USDC (collateral proof: a note of ≥ 4 WETH) → booked",
                "carol: sell 2 WETH at ≥ 145 USDC → booked",
                "alice: buy 6 WETH at ≤ 150 USDC (collateral proof: a note of ≥ 900 USDC) → sweeps both",
                "matcher verified each collateral proof against the pool's root, and that each note's",
                "nullifier is unspent on chain and backs no other order"]

    step("orders with collateral proofs", orders)
    trades: list[Trade] = state["trades"]

    def match_lines():
        return [f"fill {i + 1}: {units(t.fill.base_amount)} WETH for {units(t.fill.quote_amount)} USDC at the maker's "
                f"price {t.price // PRICE_SCALE}, legs due {t.fill.deadline - trades[0].fill.deadline + venue.matcher.leg_window} s "
                "from now" for i, t in enumerate(trades)] + [
                "alice's second leg spends the change of her first: its deadline leaves time for both"]

    step("match", match_lines)

    def settle():
        rounds = 0
        while venue.store.trades(("awaiting_legs", "submitted")) and rounds < 4:
            rounds += 1
            for t in traders.values():
                venue.settle(t)
        rows = venue.store.trades()
        if any(r.state != "settled" for r in rows):
            raise RuntimeError(f"the demo's trades ended {[r.state for r in rows]}")
        state["settle_txs"] = [r.tx_hash for r in rows]
        return [f"each trader proves its legs with only its own secrets ({rounds} rounds: alice's second leg "
                "waits for her first settlement)",
                *(f"settle tx {h[:18]}… sent by the relayer, not by a trader" for h in state["settle_txs"]),
                "chain sees per settlement: 2 nullifiers, 4 commitments, the roots, the trade and order commitments, "
                "the sides and the deadline"]

    step("prove legs and settle on chain", settle)

    def withdraw():
        state["recipient"] = recipient = LocalAccount.address_of(new_private_key())
        _, tx_hash = venue.withdraw(bob, usdc, 250 * UNIT, recipient, relayed=True, fee=WITHDRAW_FEE)
        state["withdraw_tx"] = tx_hash
        return [f"bob unshields 250 USDC to a fresh address {recipient[:10]}… through the relayer "
                f"(fee {units(WITHDRAW_FEE)} USDC); 310 USDC stay shielded",
                "chain sees: recipient, relayer, fee, token, amount, one nullifier, the change commitment; "
                "not bob's deposit address"]

    step("withdraw (unshield, relayed)", withdraw)
    return DemoResult(pool, traders, trades, state["settle_txs"], state["withdraw_tx"], state["recipient"],
                      venue.relayer.address, timings)


def balances(trader: Trader) -> dict[str, int]:
    """Live shielded balance per token symbol."""
    return {trader.pool.symbol_of(asset): b["live"] for asset, b in trader.wallet.balances().items() if b["live"]}


def plaintexts_in(pool: PoolClient, tx_hash: str, values: dict[str, int]) -> list[str]:
    """Which of `values` (assets, amounts, prices, addresses) appear in a transaction's calldata
    or its logs, as 32-byte words or as 20-byte addresses: the names of those found."""
    w3 = pool.chain.w3
    tx, receipt = w3.eth.get_transaction(tx_hash), w3.eth.get_transaction_receipt(tx_hash)
    blobs = [bytes(tx["input"]), bytes.fromhex(tx["from"][2:])]
    for log in receipt["logs"]:
        blobs.append(bytes(log["data"]))
        blobs.extend(bytes(t) for t in log["topics"])
    found = []
    for name, value in values.items():
        needles = [value.to_bytes(32, "big")]
        if value < 1 << 160:
            needles.append(value.to_bytes(20, "big"))
        if any(n in blob for n in needles for blob in blobs):
            found.append(name)
    return found


def private_values(result: DemoResult) -> dict[str, int]:
    """What a settlement must not reveal: the pair's assets, the fills' amounts, the prices, and
    the traders' own addresses."""
    f = result.trades[0].fill
    values = {"base asset (WETH)": f.base_asset, "quote asset (USDC)": f.quote_asset,
              "buy limit": 150 * PRICE_SCALE, "sell limit": 140 * PRICE_SCALE}
    for i, t in enumerate(result.trades):
        values |= {f"fill {i + 1} base amount": t.fill.base_amount, f"fill {i + 1} quote amount": t.fill.quote_amount,
                   f"fill {i + 1} price": t.price}
    return values | {f"{name}'s address": int(t.address, 16) for name, t in result.traders.items()}
