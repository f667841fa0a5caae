"""The `zktrade` command: one entry point for the proof system and the trading system."""

import sys

import click

from .bench import bench
from .ceremony import ceremony, ptau
from .circom import circom
from .chain import deploy_cmd, devnet
from .common import run_cli
from .proofs import circuit, export, prove_cmd, setup_cmd, verify_cmd
from .demo import demo
from .matcher import matcher
from .trading import COMMANDS as TRADING_COMMANDS


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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


for command in (circuit, setup_cmd, prove_cmd, verify_cmd, export, demo, circom, bench, devnet, deploy_cmd, ceremony, ptau, matcher, *TRADING_COMMANDS):
    cli.add_command(command)


def main() -> None:
    sys.exit(run_cli(cli))
