"""Circuits known to the project, by name: what `zktrade circuit list|info|setup|prove` work on.

A registered circuit is any object with this interface (the DSL's compiled circuits have it;
hand-written R1CS fixtures have it too):

  name: str, description: str
  r1cs: zk.r1cs.R1CS                          (built on first access, then cached)
  public_names: list[str]                     the public inputs, in order
  witness(inputs: Mapping[str, object]) -> list[int]   full witness from named inputs
  example_inputs() -> dict                    an input that satisfies the circuit
  breakdown() -> list[tuple[str, int]]        constraints per gadget path
"""

import importlib
import importlib.util
from collections.abc import Callable

_FACTORIES: dict[str, tuple[str, Callable[[], object]]] = {}
_BUILT: dict[str, object] = {}


class UnknownCircuit(KeyError):
    def __str__(self) -> str:
        return (
            f"no circuit named {self.args[0]!r}; known circuits: {', '.join(names()) or 'none'} "
            "(see `zktrade circuit list`)"
        )


def register(name: str, description: str) -> Callable:
    """Decorator registering a zero-argument factory that builds the circuit (lazily)."""

    def wrap(factory: Callable[[], object]) -> Callable[[], object]:
        if name in _FACTORIES:
            raise ValueError(f"circuit {name!r} is registered twice")
        _FACTORIES[name] = (description, factory)
        return factory

    return wrap


def _load_builtin() -> None:
    # Importing these modules registers their circuits.
    from . import fixtures, trade  # noqa: F401

    if importlib.util.find_spec(f"{__package__}.catalog") is not None:
        importlib.import_module(f"{__package__}.catalog")  # the DSL's circuits


def names() -> list[str]:
    _load_builtin()
    return sorted(_FACTORIES)


def describe(name: str) -> str:
    _load_builtin()
    if name not in _FACTORIES:
        raise UnknownCircuit(name)
    return _FACTORIES[name][0]


def get(name: str):
    """The circuit registered as `name`, built once per process."""
    _load_builtin()
    if name not in _FACTORIES:
        raise UnknownCircuit(name)
    if name not in _BUILT:
        _BUILT[name] = _FACTORIES[name][1]()
    return _BUILT[name]
