"""Ethereum calldata for `verifyProof(uint[2] a, uint[2][2] b, uint[2] c, uint[N] input)`.

EIP-197 takes an Fq2 element as (imaginary, real), so each G2 coordinate is written
[x1, x0], [y1, y0]: the swap snarkjs's `generatecall` also does.
"""

from collections.abc import Sequence

import sha3

from ..groth16.data import Proof


def proof_words(proof: Proof) -> tuple[list[int], list[list[int]], list[int]]:
    (x0, x1), (y0, y1) = proof.b
    return [proof.a[0], proof.a[1]], [[x1, x0], [y1, y0]], [proof.c[0], proof.c[1]]


def solidity_calldata(proof: Proof, public: Sequence[int]) -> str:
    """The four arguments as snarkjs prints them (paste into Remix or cast)."""
    a, b, c = proof_words(proof)

    def h(v: int) -> str:
        return f'"0x{v:064x}"'

    def arr(vs) -> str:
        return "[" + ",".join(h(v) for v in vs) + "]"

    return f"{arr(a)},[{arr(b[0])},{arr(b[1])}],{arr(c)},{arr(public)}"


def verify_proof_selector(n_public: int) -> bytes:
    signature = f"verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[{n_public}])"
    return sha3.keccak_256(signature.encode()).digest()[:4]


def encode_verify_call(proof: Proof, public: Sequence[int]) -> bytes:
    """ABI-encoded transaction data; every argument is static, so it is 32-byte words in order."""
    a, b, c = proof_words(proof)
    words = [*a, *b[0], *b[1], *c, *public]
    return verify_proof_selector(len(public)) + b"".join(w.to_bytes(32, "big") for w in words)
