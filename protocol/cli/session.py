"""What every trading command shares: the chain, pool and keys of a session, and the common options.

protocol/cli/wallets.py (wallet, faucet, deposit, balance) and protocol/cli/trading.py (order,
match, settle, withdraw) build on it; so does `zktrade matcher serve`.
"""

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

import click

from ..errors import ProtocolError
from .common import err_console

DEFAULT_KEYS = ".zktrade/keys"
DEFAULT_MATCHER = ".zktrade/matcher.sqlite"


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


def matcher_option(fn):
    return click.option("--matcher", "matcher_path", default=DEFAULT_MATCHER, show_default=True, envvar="ZKTRADE_MATCHER_URL",
                        help="The matcher service's URL (http://HOST:PORT, `zktrade matcher serve`), or the path of a "
                             "matcher database used in this process [env ZKTRADE_MATCHER_URL].")(fn)


def json_option(fn):
    return click.option("--json", "as_json", is_flag=True,
                        help="Print one JSON object instead (amounts in base units, as decimal strings).")(fn)


def print_json(obj: dict) -> None:
    click.echo(json.dumps(obj, indent=2))


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

        trader = Trader(Wallet.open(wallet_path), self.pool, self.keys)
        for line in trader.resume():
            err_console.print(f"[yellow]recovered[/] {line}")
        return trader

    def venue(self, matcher: str):
        """The matcher service at a URL, or the matcher over a database file in this process."""
        from ..client import is_url
        from ..venue import RemoteVenue, Venue

        if is_url(matcher):
            return RemoteVenue(self.pool, matcher)
        if "://" in matcher:
            raise ProtocolError(f"--matcher {matcher}: a matcher URL starts with http:// or https://")
        return Venue(self.pool, self.keys, matcher)

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
