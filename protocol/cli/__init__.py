"""The `zktrade` command: one entry point for the proof system and the trading system.

Commands are imported when they run, not at start-up: `zktrade verify` should not pay for
web3, wasmtime or the ceremony code (start-up counts in every whole-process comparison with
snarkjs). `--help` imports them all to list them.
"""

import importlib
import sys

import click

from .common import run_cli, use_help_formatter

# name -> module (relative to this package) and attribute; the trading commands come from
# COMMANDS of protocol.cli.wallets and protocol.cli.trading, looked up when no name here matches.
COMMANDS = {
    "circuit": ".proofs:circuit",
    "setup": ".proofs:setup_cmd",
    "prove": ".proofs:prove_cmd",
    "verify": ".proofs:verify_cmd",
    "export": ".chain:export",  # proofs' export group, with chain.py's solidity and vyper attached
    "demo": ".demo:demo",
    "circom": ".circom:circom",
    "bench": ".bench:bench",
    "devnet": ".chain:devnet",
    "deploy": ".chain:deploy_cmd",
    "ceremony": ".ceremony:ceremony",
    "ptau": ".ceremony:ptau",
    "matcher": ".matcher:matcher",
    "trader": ".agent:trader",
}
TRADING_MODULES = (".wallets", ".trading")


def _load(target: str) -> click.Command:
    module, attribute = target.split(":")
    return getattr(importlib.import_module(module, __name__), attribute)


def _trading_commands() -> dict[str, click.Command]:
    return {c.name: c for module in TRADING_MODULES for c in importlib.import_module(module, __name__).COMMANDS}


class LazyGroup(click.Group):
    """A click group that imports a command's module only when the command is looked up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *_trading_commands()})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = _load(COMMANDS[name]) if name in COMMANDS else _trading_commands().get(name)
        if command is not None:
            use_help_formatter(command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="zktrade")
def cli() -> None:
    """zktrade: private peer-to-peer trading with Groth16 proofs over BN254.

    \b
    The whole story in one run (embedded chain):
      zktrade demo
    \b
    Trading across processes (see README "Trading from the CLI on a devnet"):
      zktrade devnet up && zktrade deploy
      zktrade wallet create alice.wallet && zktrade faucet --token QUOTE --amount 1000 --wallet alice.wallet
      zktrade deposit | order place | match | settle | withdraw | balance --wallet alice.wallet ...
    \b
    Proofs:
      zktrade circuit list
      zktrade setup cubic --out keys/ --seed 1
      echo '{"x": 3}' > input.json
      zktrade prove cubic --pk keys/proving_key.pk --input input.json \\
          --proof proof.json --public public.json
      zktrade verify --vk keys/verification_key.json --proof proof.json --public public.json
    """


use_help_formatter(cli)


def main() -> None:
    sys.exit(run_cli(cli))
