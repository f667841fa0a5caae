"""The embedded chain's BN254 precompiles (0x06 ecAdd, 0x07 ecMul, 0x08 ecPairing) on zk's curve
code, so that they take the fast path when the fast backend is selected.

py-evm computes them with py_ecc (about 0.9 s for the 4-pair call of a Groth16 verifier).
These versions keep py-evm's behaviour exactly (EIP-196/197 with the Istanbul gas costs, gas
charged before the input is read, short ecAdd/ecMul input padded with zeros on the right, every
invalid input a VMError that consumes the call's gas) and differ only in speed;
tests/protocol/chain/test_precompiles.py compares them with py-evm's own on random and invalid input.
`prague_vm()` is py-evm's Prague VM with these three installed; the embedded chain runs on it.
"""

from eth.exceptions import VMError
from eth.vm.forks.istanbul.constants import GAS_ECADD, GAS_ECMUL, GAS_ECPAIRING_BASE, GAS_ECPAIRING_PER_POINT

from zk.curve import (
    G2_INFINITY,
    G1Point,
    G2Point,
    g1_add,
    g1_is_on_curve,
    g1_msm_small,
    g2_in_subgroup,
    pairing_product_is_one,
)
from zk.field import Q

PAIR_SIZE = 192  # G1 (x, y) and G2 (x.imag, x.real, y.imag, y.real), 32-byte big-endian words


def _words(data: bytes, n: int) -> list[int]:
    """The first n 32-byte words of data, right-padded with zeros as the EVM reads call data."""
    data = data[: 32 * n].ljust(32 * n, b"\0")
    return [int.from_bytes(data[32 * i : 32 * (i + 1)], "big") for i in range(n)]


def _g1(x: int, y: int) -> G1Point | None:
    """The G1 point (x, y), (0, 0) being infinity; None if invalid."""
    p = (x, y)
    return p if x < Q and y < Q and g1_is_on_curve(p) else None


def _g2(x_imag: int, x_real: int, y_imag: int, y_real: int) -> G2Point | None:
    """The G2 point from EIP-197's word order (imaginary part first), all zeros being infinity;
    None if a coordinate is ≥ q or the point is off the twist or outside the order-r subgroup."""
    p = ((x_real, x_imag), (y_real, y_imag))
    return p if p == G2_INFINITY or g2_in_subgroup(p) else None


def _point_bytes(p: G1Point) -> bytes:
    return p[0].to_bytes(32, "big") + p[1].to_bytes(32, "big")


def ecadd(computation):
    """0x06: the sum of two G1 points."""
    computation.consume_gas(GAS_ECADD, reason="ECADD Precompile")
    x1, y1, x2, y2 = _words(computation.msg.data_as_bytes, 4)
    p, q = _g1(x1, y1), _g1(x2, y2)
    if p is None or q is None:
        raise VMError("Invalid ECADD parameters")
    computation.output = _point_bytes(g1_add(p, q))
    return computation


def ecmul(computation):
    """0x07: a G1 point times a 256-bit scalar."""
    computation.consume_gas(GAS_ECMUL, reason="ECMUL Precompile")
    x, y, k = _words(computation.msg.data_as_bytes, 3)
    p = _g1(x, y)
    if p is None:
        raise VMError("Invalid ECMUL parameters")
    computation.output = _point_bytes(g1_msm_small([p], [k]))
    return computation


def ecpairing(computation):
    """0x08: 1 if Π e(P_i, Q_i) = 1 over the 192-byte pairs of the input, else 0."""
    data = computation.msg.data_as_bytes
    if len(data) % PAIR_SIZE:
        raise VMError("Invalid ECPAIRING parameters")
    n = len(data) // PAIR_SIZE
    computation.consume_gas(GAS_ECPAIRING_BASE + n * GAS_ECPAIRING_PER_POINT, reason="ECPAIRING Precompile")
    pairs = []
    for i in range(n):
        x1, y1, *g2_words = _words(data[PAIR_SIZE * i : PAIR_SIZE * (i + 1)], 6)
        p, q = _g1(x1, y1), _g2(*g2_words)
        if p is None or q is None:
            raise VMError("Invalid ECPAIRING parameters")
        pairs.append((p, q))
    computation.output = (1 if pairing_product_is_one(pairs) else 0).to_bytes(32, "big")
    return computation


def prague_vm():
    """py-evm's Prague VM whose computations use the precompiles above for 0x06-0x08."""
    from eth._utils.address import force_bytes_to_address
    from eth.vm.forks.prague import PragueVM
    from eth.vm.forks.prague.computation import PragueComputation
    from eth.vm.forks.prague.state import PragueState

    class FastBN254Computation(PragueComputation):
        _precompiles = {
            **PragueComputation.get_precompiles(),
            force_bytes_to_address(b"\x06"): ecadd,
            force_bytes_to_address(b"\x07"): ecmul,
            force_bytes_to_address(b"\x08"): ecpairing,
        }

    class FastBN254State(PragueState):
        computation_class = FastBN254Computation

    return type("FastBN254PragueVM", (PragueVM,), {"_state_class": FastBN254State})
