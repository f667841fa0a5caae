"""The Groth16 prover driven by a snarkjs .zkey and a witness, as `snarkjs groth16 prove` is.

A .zkey has the QAP rows' A and B coefficients but no C: the row values are A_j = ⟨A_j, w⟩,
B_j = ⟨B_j, w⟩ and C_j = A_j·B_j (equal to ⟨C_j, w⟩ exactly when the witness satisfies the
circuit). H follows from the circom reduction and the MSMs are the shared `assemble_proof`.
On the fast backend, with the coefficients read as arrays, the rows and H are computed on the
backend's limb arrays (`fast.zkey_h`); otherwise row by row in Python (the readable path).
Nothing here checks the witness against the constraints (the .zkey cannot): an unsatisfying
witness gives a proof that fails verification, so callers that write proofs verify them first.
"""

import secrets
from collections.abc import Sequence

from ..backends import get_backend
from ..domain import Domain, root_of_unity
from ..errors import MalformedInput
from ..field import R
from ..formats.zkey import MATRIX_A, Coefficients, Zkey
from ..groth16.data import Proof
from ..groth16.prover import assemble_proof
from ..qap import CircomReduction


def check_witness_for_zkey(zkey: Zkey, witness: Sequence[int]) -> None:
    """Length n_vars, wire 0 equal to one, every value canonical in Fr."""
    if len(witness) != zkey.n_vars:
        raise MalformedInput(
            f"the witness has {len(witness)} values but the .zkey's circuit has {zkey.n_vars} wires: "
            "was the witness computed for this circuit?"
        )
    if witness[0] != 1:
        raise MalformedInput(f"witness wire 0 must be the constant 1, got {witness[0]}")
    for i, v in enumerate(witness):
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < R:
            raise MalformedInput(f"witness value {i} = {v!r} is not a field element in [0, r)")


def zkey_rows(zkey: Zkey, witness: Sequence[int]) -> tuple[list[int], list[int], list[int]]:
    """A_j, B_j and C_j = A_j·B_j for every row j of the domain."""
    n = zkey.domain_size
    a, b = [0] * n, [0] * n
    for matrix, row, wire, value in zkey.coefficients:
        target = a if matrix == MATRIX_A else b
        target[row] = (target[row] + value * witness[wire]) % R
    return a, b, [x * y % R for x, y in zip(a, b)]


def create_proof_from_zkey(zkey: Zkey, witness: Sequence[int], r: int, s: int) -> Proof:
    """π = (A, B, C) from a .zkey and a full witness, with blinding scalars r and s."""
    check_witness_for_zkey(zkey, witness)
    backend = get_backend()
    fast_h = getattr(backend, "zkey_h", None)
    if fast_h is not None and isinstance(zkey.coefficients, Coefficients):
        n = zkey.domain_size
        w = backend.scalar_limbs(witness)
        h = fast_h(zkey.coefficients.arrays(), w, n, root_of_unity(n), root_of_unity(2 * n))
        return assemble_proof(zkey.proving_key, w, h, r, s)
    h = CircomReduction.h_from_rows(Domain(zkey.domain_size), zkey_rows(zkey, witness))
    return assemble_proof(zkey.proving_key, witness, h, r, s)


def prove_from_zkey(zkey: Zkey, witness: Sequence[int]) -> Proof:
    """A zero-knowledge proof: fresh uniformly random r, s from the OS CSPRNG."""
    return create_proof_from_zkey(zkey, witness, secrets.randbelow(R), secrets.randbelow(R))
