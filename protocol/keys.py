"""Proving and verifying keys of the protocol's circuits, made once and kept in a key directory.

A key file is named after its circuit and R1CS digest (`leg-<digest16>.pk`), so a changed
circuit never picks up a stale key. Keys made here come from a single-party setup (DEV ONLY):
a deployment that holds value uses keys from `zktrade ceremony` placed in the same directory.
"""

from dataclasses import dataclass, field
from pathlib import Path

from circuits.builder import Statement
from zk.formats.native import read_proving_key, write_proving_key
from zk.formats.snarkjs_json import vk_to_json, write_json
from zk.groth16 import PreparedVerifyingKey, Proof, ProvingKey, prepare_verifying_key, prove, setup, verify_proof


@dataclass(frozen=True)
class CircuitKeys:
    statement: Statement
    proving_key: ProvingKey
    verifying_key: PreparedVerifyingKey

    def prove(self, public, private) -> Proof:
        """A proof of the statement for these inputs (raises Unsatisfied naming the failing gadget)."""
        witness = self.statement.witness_for(public, private)
        return prove(self.proving_key, self.statement.r1cs, witness)

    def verify(self, proof: Proof, public_vector: list[int]) -> bool:
        return verify_proof(self.verifying_key, proof, public_vector)


@dataclass
class KeyStore:
    """Keys by circuit, in `directory`; missing keys are made with a dev setup and saved."""

    directory: Path
    on_setup: object = None  # called with the statement before a (slow) setup runs
    _loaded: dict[str, CircuitKeys] = field(default_factory=dict)

    def path_for(self, statement: Statement) -> Path:
        return Path(self.directory) / f"{statement.name}-{statement.r1cs.digest()[:16]}.pk"

    def keys(self, statement: Statement) -> CircuitKeys:
        if statement.name in self._loaded:
            return self._loaded[statement.name]
        path = self.path_for(statement)
        if path.exists():
            pk = read_proving_key(path)
        else:
            if self.on_setup is not None:
                self.on_setup(statement)
            pk = setup(statement.r1cs)
            path.parent.mkdir(parents=True, exist_ok=True)
            write_proving_key(path, pk)
            write_json(path.with_suffix(".vk.json"), vk_to_json(pk.vk))
        keys = CircuitKeys(statement, pk, prepare_verifying_key(pk.vk))
        self._loaded[statement.name] = keys
        return keys
