"""Circuits known to the project, by name: what `zktrade circuit list|info|setup|prove` work on.

`CIRCUITS` is the one table: adding a circuit is adding its line there (a description and a
zero-argument factory). The modules that define circuits know nothing of this table, so
importing one registers nothing and nothing imports back. A registered circuit is any object
with this interface (the DSL's statements have it; the hand-written R1CS fixtures have it too):

  name: str, description: str
  r1cs: zk.r1cs.R1CS                          (built on first access, then cached)
  public_names: list[str]                     the public inputs, in order
  witness(inputs: Mapping[str, object]) -> list[int]   full witness from named inputs
  example_inputs() -> dict                    an input that satisfies the circuit
  breakdown() -> list[tuple[str, int]]        constraints per gadget path
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from types import MappingProxyType

from zk.errors import UserError

from . import catalog, fixtures
from .trade import collateral_statement, leg_statement, withdraw_statement


@dataclass(frozen=True)
class Entry:
    """A circuit's one-line description and the factory that builds it (called once, on first use)."""

    description: str
    build: Callable[[], object]


CIRCUITS: Mapping[str, Entry] = MappingProxyType({
    # hand-written R1CS fixtures (circuits/fixtures.py): every wire visible, for tests and demos
    "cubic": Entry("x³ + x + 5 = y: one public input, three constraints", fixtures.cubic),
    "gates300": Entry("300 random multiplication gates with 4 public outputs",
                      partial(fixtures.random_gates, 300, 4, seed=300)),
    "gates300x0": Entry("300 random multiplication gates, no public input",
                        partial(fixtures.random_gates, 300, 0, seed=301)),
    "gates64x32": Entry("64 multiplication gates with 32 public outputs", partial(fixtures.random_gates, 64, 32, seed=64)),
    "free_publics7": Entry("7 unconstrained public inputs: a key of the wrong shape for the pool (v1's leg)",
                           partial(fixtures.free_publics, 7)),
    "free_publics8": Entry("8 unconstrained public inputs: a stand-in for a settlement leg or a withdrawal in contract tests",
                           partial(fixtures.free_publics, 8)),
    # the DSL's example statements (circuits/catalog.py)
    "poseidon2": Entry("knowledge of a, b with Poseidon(a, b) = hash (the DSL's Poseidon gadget)", catalog.poseidon2),
    "range64": Entry("a committed value is below 2^64: Poseidon(value, blinding) = commitment", catalog.range64),
    "merkle4": Entry("a leaf is in a Poseidon(2) Merkle tree of depth 4 with public root (test preset)",
                     partial(catalog.membership, 4)),
    "merkle20": Entry("a leaf is in a Poseidon(2) Merkle tree of depth 20 with public root (the pool's depth)",
                      partial(catalog.membership, 20)),
    # the protocol's statements (circuits/trade/), at the pool's depth
    "collateral": Entry("an owned note in the tree covers an order's maximum payment (depth 20)",
                        collateral_statement),
    "leg": Entry("one party's settlement leg: spend, pay the fill within the limit, receive, change (depth 20)",
                 leg_statement),
    "withdraw": Entry("spend a note to a bound recipient and relayer fee, keeping the change (depth 20)", withdraw_statement),
})


class UnknownCircuit(UserError, KeyError):
    """No circuit of this name in the table."""

    def __str__(self) -> str:
        return (
            f"no circuit named {self.args[0]!r}; known circuits: {', '.join(names()) or 'none'} "
            "(see `zktrade circuit list`)"
        )


def names() -> list[str]:
    return sorted(CIRCUITS)


def _entry(name: str) -> Entry:
    if name not in CIRCUITS:
        raise UnknownCircuit(name)
    return CIRCUITS[name]


def describe(name: str) -> str:
    return _entry(name).description


_BUILT: dict[str, object] = {}


def get(name: str):
    """The circuit registered as `name`, built once per process."""
    entry = _entry(name)
    if name not in _BUILT:
        _BUILT[name] = entry.build()
    return _BUILT[name]
