"""`zktrade matcher serve`: the matcher, its relayer and settlement coordinator as an HTTP service."""

import click

from .session import DEFAULT_MATCHER, Session


@click.group()
def matcher() -> None:
    """Run the matcher as a network service (traders connect with --matcher URL)."""


@matcher.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@click.option("--port", default=8650, show_default=True, type=click.IntRange(1, 65535))
@click.option("--db", "db_path", default=DEFAULT_MATCHER, show_default=True, type=click.Path(dir_okay=False),
              help="The matcher's SQLite database (orders, fills, legs, settlements, the relayer's key).")
@click.option("--rpc", default=None, help="JSON-RPC URL (default: the running `zktrade devnet`).")
@click.option("--deployment", default="deployment.json", show_default=True, type=click.Path(dir_okay=False))
@click.option("--keys", "keys_dir", default=".zktrade/keys", show_default=True, type=click.Path(file_okay=False))
def serve(host: str, port: int, db_path: str, rpc, deployment, keys_dir) -> None:
    """Serve the matcher: orders, cancels, status, legs, relayed withdrawals (API docs at /docs).

    Example: zktrade matcher serve --port 8650 --db matcher.sqlite
    """
    import uvicorn

    from ..server.app import create_app
    from ..server.service import Core, MatcherService
    from ..server.verify import PreverifiedKeys

    session = Session(rpc, deployment, keys_dir)  # fails here, as one line, if there is no chain

    def build() -> Core:
        venue = session.venue(db_path)
        # The venue's matcher verifies every ticket it books; the batch verifier has already.
        prekeys = PreverifiedKeys(venue.matcher.collateral_keys)
        venue.matcher.collateral_keys = prekeys
        return Core(venue.matcher, prekeys, venue.coordinator, session.pool, venue.relayer.address, venue.close)

    click.echo(f"matcher on http://{host}:{port} (docs at /docs), database {db_path}", err=True)
    # Open event streams (agents listening) must not hold a SIGTERM's shutdown forever.
    uvicorn.run(create_app(MatcherService(build)), host=host, port=port, log_level="warning", timeout_graceful_shutdown=5)
