"""Run the harness's matcher service in a process of its own (to be SIGKILLed by a fault test):
`python serve_world.py DB PORT`. The world (keys from a fixed seed, the same notes) is rebuilt
identically in every process, so the test's proofs verify here."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import uvicorn  # noqa: E402

from harness import WINDOW, World, collateral_keys  # noqa: E402
from protocol.matcher import Matcher  # noqa: E402
from protocol.matcher_store import MatcherStore  # noqa: E402
from protocol.server.app import create_app  # noqa: E402
from protocol.server.service import Core, Limits, MatcherService  # noqa: E402
from protocol.server.verify import PreverifiedKeys  # noqa: E402


def main(db: str, port: int) -> None:
    world = World(collateral_keys())

    def core() -> Core:
        store = MatcherStore(db)
        prekeys = PreverifiedKeys(world.keys)
        return Core(Matcher(store, prekeys, world.view(), leg_window=WINDOW), prekeys, close=store.close)

    limits = Limits(client_rate=1000, client_burst=1000, host_rate=1000, host_burst=1000, verify_workers=1, tick=0.2)
    uvicorn.run(create_app(MatcherService(core, limits)), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
