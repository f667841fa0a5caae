"""The DSL's example circuits (their entries are in circuits/registry.py): `zktrade circuit list`
shows them, `setup`/`prove` use them.

Each is a statement in the house style (XPublic + XPrivate, define_x, x_public_inputs) with an
example input. Their constraint counts, R1CS digests and verifying-key digests (setup from a
fixed seed) are pinned in circuits/golden/*.json;
after an intended change, rewrite them with
`ZKTRADE_UPDATE_GOLDEN=1 pytest tests/circuits/test_catalog.py` and review the diff.
"""

from dataclasses import dataclass

from .dsl import Api, Statement, Var
from .gadgets.bits import range_check_gadget
from .gadgets.merkle import merkle_membership_gadget, merkle_root
from .gadgets.poseidon import poseidon_hash, poseidon_hash_gadget

# -- Poseidon preimage -------------------------------------------------------------------------


@dataclass(frozen=True)
class PreimagePublic:
    hash: Var


@dataclass(frozen=True)
class PreimagePrivate:
    a: Var
    b: Var


def define_preimage(api: Api, pub: PreimagePublic, priv: PreimagePrivate) -> None:
    """Poseidon(a, b) = hash."""
    api.assert_equal(poseidon_hash_gadget(api, [priv.a, priv.b]), pub.hash)


def preimage_public_inputs(pub: PreimagePublic) -> list:
    return [pub.hash]


def poseidon2() -> Statement:
    return Statement(
        "poseidon2", "Poseidon(a, b) = hash", PreimagePublic, PreimagePrivate, define_preimage,
        preimage_public_inputs,
        example=lambda: (PreimagePublic(hash=poseidon_hash([1, 2])), PreimagePrivate(a=1, b=2)),
    )


# -- a range proof of a committed value --------------------------------------------------------


@dataclass(frozen=True)
class RangePublic:
    commitment: Var


@dataclass(frozen=True)
class RangePrivate:
    value: Var
    blinding: Var


def define_range64(api: Api, pub: RangePublic, priv: RangePrivate) -> None:
    """commitment = Poseidon(value, blinding) and value < 2^64."""
    range_check_gadget(api, priv.value, 64)
    api.assert_equal(poseidon_hash_gadget(api, [priv.value, priv.blinding]), pub.commitment)


def range64_public_inputs(pub: RangePublic) -> list:
    return [pub.commitment]


def range64() -> Statement:
    value, blinding = (1 << 64) - 1, 12345
    return Statement(
        "range64", "Poseidon(value, blinding) = commitment, value < 2^64", RangePublic, RangePrivate,
        define_range64, range64_public_inputs,
        example=lambda: (RangePublic(poseidon_hash([value, blinding])), RangePrivate(value, blinding)),
    )


# -- Merkle membership -------------------------------------------------------------------------


@dataclass(frozen=True)
class MembershipPublic:
    root: Var


@dataclass(frozen=True)
class MembershipPrivate:
    leaf: Var
    siblings: list[Var]
    path_bits: list[Var]


def define_membership(api: Api, pub: MembershipPublic, priv: MembershipPrivate) -> None:
    """leaf is in the Poseidon(2) tree with this root, at index Σ 2^i·path_bits[i]."""
    merkle_membership_gadget(api, pub.root, priv.leaf, priv.siblings, priv.path_bits)


def membership_public_inputs(pub: MembershipPublic) -> list:
    return [pub.root]


def membership_example(depth: int) -> tuple[MembershipPublic, MembershipPrivate]:
    leaf = poseidon_hash([42])
    siblings = [poseidon_hash([1000 + i]) for i in range(depth)]
    index = 0b1011_0110_1001_1100_0101 % (1 << depth)
    bits = [index >> i & 1 for i in range(depth)]
    root = merkle_root(leaf, siblings, bits)
    return MembershipPublic(root), MembershipPrivate(leaf, siblings, bits)


def membership(depth: int) -> Statement:
    """Merkle membership in a tree of this depth: depth·242 + 1 constraints."""
    return Statement(
        f"merkle{depth}", f"Merkle membership, Poseidon(2) tree of depth {depth}", MembershipPublic,
        MembershipPrivate, define_membership, membership_public_inputs,
        sizes={"siblings": depth, "path_bits": depth}, example=lambda: membership_example(depth),
    )
