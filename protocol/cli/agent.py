"""`zktrade trader run`: a wallet's agent against the matcher service (protocol/agent.py)."""

import signal

import click

from ..errors import ProtocolError
from .common import console, fast_backend_warmup
from .session import Session, chain_options


@click.group()
def trader() -> None:
    """Run a trader's agent: it proves and sends its legs as its fills come (needs --matcher URL)."""


@trader.command("run")
@click.option("--wallet", "wallet_paths", multiple=True, required=True, type=click.Path(dir_okay=False),
              help="A wallet file; repeat it to run several wallets in one agent (each keeps its own secret).")
@chain_options
@click.option("--matcher", "matcher_url", envvar="ZKTRADE_MATCHER_URL", required=True,
              help="The matcher service's URL (`zktrade matcher serve`) [env ZKTRADE_MATCHER_URL].")
@click.option("--poll", default=2.0, show_default=True, type=click.FloatRange(0.1, 600),
              help="Seconds between passes when the event stream is quiet.")
@click.option("--until-idle", type=click.FloatRange(0, None), default=None,
              help="Exit once nothing of these wallets is in flight (no fill unsettled, no leg pending) for this many seconds.")
@click.option("--max-runtime", type=click.FloatRange(0, None), default=None, help="Exit after this many seconds.")
def run(wallet_paths, rpc, deployment, keys_dir, matcher_url, poll, until_idle, max_runtime) -> None:
    """Listen for this wallet's fills, prove and send each leg before its deadline, re-book the
    rest of an order the matcher dropped, and carry on after a restart (its state is the
    wallet's). Stops cleanly on Ctrl-C or SIGTERM.

    Example: zktrade trader run --wallet alice.wallet --matcher http://127.0.0.1:8650
    Example: zktrade trader run --wallet bob.wallet --wallet carol.wallet --matcher http://127.0.0.1:8650 --until-idle 30
    """
    from ..agent import TraderAgent
    from ..client import is_url
    from ..venue import RemoteVenue

    if not is_url(matcher_url):
        raise ProtocolError(f"--matcher {matcher_url}: the agent needs the matcher service's URL (http://HOST:PORT)")
    s = Session(rpc, deployment, keys_dir)
    traders = [s.trader(path) for path in wallet_paths]
    venue = RemoteVenue(s.pool, matcher_url)
    venue.client.health()  # one line now if the service is not there
    fast_backend_warmup()

    def log(line: str) -> None:
        console.print(line, soft_wrap=True)

    agent = TraderAgent(venue, traders, log, poll)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: agent.stop())
    log(f"agent for {', '.join(wallet_paths)} on {matcher_url}")
    try:
        log(f"agent stopped: {agent.run(until_idle, max_runtime)}")
    finally:
        venue.close()
