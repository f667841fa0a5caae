"""The whole story in one run: two traders shield tokens, place orders with collateral proofs,
get matched (a partial fill), prove their legs, settle on chain, re-collateralize and withdraw.

`run_demo` does the work and reports each step through `show(step, seconds, lines)`; the CLI
(`zktrade demo`) prints it, and the end-to-end tests run it and check the outcome.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from circuits.trade import collateral_statement, leg_statement, withdraw_statement

from .chain.client import Chain, Receipt
from .chain.deploy import deploy_pool
from .keys import KeyStore
from .matcher import Matcher, Trade
from .params import BUY, PRICE_SCALE, SELL
from .pool import PoolClient
from .trader import Trader
from .wallet import Wallet

UNIT = 10**18  # both test tokens have 18 decimals


def units(amount: int) -> str:
    whole, frac = divmod(amount, UNIT)
    return f"{whole:,}" + (f".{frac:018d}".rstrip("0") if frac else "")


@dataclass
class DemoResult:
    pool: PoolClient
    traders: dict[str, Trader]
    trade: Trade
    settle_receipt: Receipt
    withdraw_receipt: Receipt
    recipient_balance: int
    timings: dict[str, float] = field(default_factory=dict)


Show = Callable[[str, float, list[str]], None]


def run_demo(chain: Chain, home: Path, show: Show, on_setup=None) -> DemoResult:
    """Run the trading story on `chain`, keeping keys and wallets under `home`."""
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
        record, contracts = deploy_pool(chain, keys.keys(leg_statement()).proving_key.vk,
                                        keys.keys(withdraw_statement()).proving_key.vk, ("WETH", "USDC"))
        state["pool"] = pool = PoolClient(chain, record)
        return [f"pool {pool.address}", f"tokens WETH {record.tokens['WETH']}, USDC {record.tokens['USDC']}",
                "verifiers: settlement leg (two proofs in one pairing), withdraw"]

    step("deploy contracts", deploy)
    pool: PoolClient = state["pool"]
    weth, usdc = pool.deployment.tokens["WETH"], pool.deployment.tokens["USDC"]
    accounts = chain.accounts
    operator, alice_addr, bob_addr = accounts[0], accounts[1], accounts[2]

    traders = {}
    for name, address in (("alice", alice_addr), ("bob", bob_addr)):
        wallet_path = home / f"{name}.wallet"
        if wallet_path.exists():
            wallet_path.unlink()
        traders[name] = Trader(Wallet.create(wallet_path, name), pool, keys, address)
    alice, bob = traders["alice"], traders["bob"]

    def deposits():
        chain.transact(pool.token(usdc).functions.mint(alice_addr, 1_000 * UNIT), sender=operator)
        chain.transact(pool.token(weth).functions.mint(bob_addr, 10 * UNIT), sender=operator)
        alice.deposit(usdc, 1_000 * UNIT)
        bob.deposit(weth, 10 * UNIT)
        return ["alice shields 1,000 USDC, bob shields 10 WETH",
                "chain sees: each depositor's address, token and amount, and the new commitment"]

    step("deposit (shield)", deposits)
    matcher = Matcher(keys.keys(collateral_statement()), pool.is_known_root)

    def orders():
        alice.sync()
        bob.sync()
        state["buy"] = alice.place_order(BUY, weth, usdc, 6 * UNIT, 150 * PRICE_SCALE)
        if matcher.submit(state["buy"]):
            raise RuntimeError("the demo's first order matched an empty book")
        state["sell"] = bob.place_order(SELL, weth, usdc, 4 * UNIT, 140 * PRICE_SCALE)
        trades = matcher.submit(state["sell"])
        if len(trades) != 1:
            raise RuntimeError(f"the demo expected one trade, the matcher made {len(trades)}")
        state["trade"] = trades[0]
        return ["alice: buy 6 WETH at ≤ 150 USDC (collateral proof: a note of ≥ 900 USDC) → booked",
                "bob:   sell 4 WETH at ≥ 140 USDC (collateral proof: a note of ≥ 4 WETH) → crosses",
                "matcher verified both collateral proofs against the pool's root before booking"]

    step("orders with collateral proofs", orders)
    trade: Trade = state["trade"]

    def match_lines():
        f = trade.fill
        return [f"fill: {units(f.base_amount)} WETH for {units(f.quote_amount)} USDC at the maker's "
                f"price {trade.price // PRICE_SCALE} (partial: alice's order has 2 WETH left)",
                f"alice's order is now {matcher.order_status(trade.buy_order_id)}"]

    step("match", match_lines)

    def legs():
        state["buy_leg"] = alice.prove_leg(trade)
        state["sell_leg"] = bob.prove_leg(trade)
        return ["alice proves her buy leg, bob his sell leg, each with only their own secrets"]

    step("prove settlement legs", legs)

    def settle():
        state["settle"] = receipt = pool.settle(operator, state["buy_leg"], state["sell_leg"])
        alice.sync()
        bob.sync()
        return [f"settle tx {receipt.tx_hash[:18]}… gas {receipt.gas_used:,} (both proofs in one pairing check)",
                "chain sees: 2 nullifiers, 4 commitments, the roots, the trade and order commitments, the sides"]

    step("settle on chain", settle)

    def rest():
        ticket = alice.place_rest(trade.buy_order_id)
        matcher.replace(trade.buy_order_id, ticket)
        return ["alice books the 2 WETH left as a new order backed by her change note (400 USDC ≥ 300): "
                f"{matcher.order_status(ticket.order.order_id)}"]

    step("re-collateralize the rest", rest)

    def withdraw():
        _, receipt = bob.withdraw(usdc, 250 * UNIT, bob_addr)
        state["withdraw_receipt"] = receipt
        return [f"bob unshields 250 USDC to {bob_addr[:10]}… (gas {receipt.gas_used:,}); 350 USDC stay shielded",
                "chain sees: recipient, token, amount, one nullifier, the change commitment"]

    step("withdraw (unshield)", withdraw)
    return DemoResult(pool, traders, trade, state["settle"], state["withdraw_receipt"],
                      pool.token_balance(usdc, bob_addr), timings)


def balances(trader: Trader) -> dict[str, int]:
    """Live shielded balance per token symbol."""
    return {trader.pool.symbol_of(asset): b["live"] for asset, b in trader.wallet.balances().items() if b["live"]}


def settlement_plaintexts(pool: PoolClient, receipt: Receipt, values: dict[str, int]) -> list[str]:
    """Which of `values` (assets, amounts, prices) appear in the settlement transaction's calldata
    or its logs, as 32-byte words or as 20-byte addresses: the names of those found."""
    tx = pool.chain.w3.eth.get_transaction(receipt.tx_hash)
    blobs = [bytes(tx["input"])]
    for log in receipt.logs:
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
    """What the settlement must not reveal: the pair's assets, the fill's amounts, the prices."""
    f = result.trade.fill
    return {"base asset (WETH)": f.base_asset, "quote asset (USDC)": f.quote_asset,
            "base amount": f.base_amount, "quote amount": f.quote_amount, "price": result.trade.price,
            "buy limit": 150 * PRICE_SCALE, "sell limit": 140 * PRICE_SCALE}
