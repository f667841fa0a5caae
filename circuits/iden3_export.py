"""Export a registered circuit to circom's binary formats: .r1cs (for setup) and .wtns (its witness).

All our public inputs are written as circom public inputs (no outputs), in `public_inputs` order,
so `snarkjs r1cs info`, `snarkjs wtns check` and snarkjs's Groth16 setup read them as circom's own.
"""

from collections.abc import Mapping
from pathlib import Path

from zk.formats.iden3 import write_bytes
from zk.formats.r1cs_bin import encode_r1cs, r1cs_file
from zk.formats.wtns import write_wtns

from .dsl import Statement


def export_circom(circuit, inputs: Mapping[str, object] | None, r1cs_path: str | Path | None,
                  wtns_path: str | Path | None) -> list[int] | None:
    """Write the circuit's .r1cs and/or the witness of `inputs` as .wtns; returns the witness."""
    cs = circuit.r1cs
    if r1cs_path is not None:
        n_private = circuit.n_private_inputs if isinstance(circuit, Statement) else 0
        write_bytes(r1cs_path, encode_r1cs(r1cs_file(cs, n_outputs=0, n_prv_inputs=n_private)))
    if wtns_path is None:
        return None
    witness = circuit.witness(inputs if inputs is not None else circuit.example_inputs())
    cs.check(witness)
    write_wtns(wtns_path, witness)
    return witness
