"""Groth16 keys and proofs: data only, algorithms live in setup/prover/verifier."""

from dataclasses import dataclass

from ..curve import G1Point, G2Point


@dataclass(frozen=True)
class VerifyingKey:
    alpha_g1: G1Point
    beta_g2: G2Point
    gamma_g2: G2Point
    delta_g2: G2Point
    gamma_abc_g1: tuple[G1Point, ...]  # one per public wire, wire 0 (the constant one) first

    @property
    def n_public(self) -> int:
        return len(self.gamma_abc_g1) - 1


@dataclass(frozen=True)
class ProvingKey:
    """Everything the prover needs; queries are indexed by wire unless stated otherwise."""

    vk: VerifyingKey
    beta_g1: G1Point
    delta_g1: G1Point
    a_query: tuple[G1Point, ...]
    b_g1_query: tuple[G1Point, ...]
    b_g2_query: tuple[G2Point, ...]
    h_query: tuple[G1Point, ...]
    l_query: tuple[G1Point, ...]  # private wires n_public+1.., (β·a_i + α·b_i + c_i)/δ
    domain_size: int
    reduction: str
    circuit_digest: str

    @property
    def n_public(self) -> int:
        return self.vk.n_public

    @property
    def n_wires(self) -> int:
        return len(self.a_query)


@dataclass(frozen=True)
class Proof:
    a: G1Point
    b: G2Point
    c: G1Point


@dataclass(frozen=True)
class ToxicWaste:
    """The setup's secrets. Whoever knows them can forge proofs: dev keys only."""

    tau: int
    alpha: int
    beta: int
    gamma: int
    delta: int
