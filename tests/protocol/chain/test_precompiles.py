"""The embedded chain's BN254 precompiles (protocol/chain/precompiles.py) against py-evm's own:
the same output, gas and failure on random valid and invalid input, called directly and
through the chain."""

import pytest
from eth import precompiles as pyevm
from eth.exceptions import VMError
from eth.vm.forks.istanbul.constants import GAS_ECADD, GAS_ECMUL, GAS_ECPAIRING_BASE, GAS_ECPAIRING_PER_POINT
from eth.vm.gas_meter import GasMeter
from eth_tester.exceptions import TransactionFailed
from hypothesis import given, settings, strategies as st

from protocol.chain import precompiles as ours
from zk.curve import G1_GENERATOR, G2_GENERATOR, g1_mul, g1_neg, g2_mul, g2_neg
from zk.field import Q, R

from ...zk.points import g2_point_outside_subgroup

REFERENCE = {
    "ecadd": pyevm.ecadd(gas_cost=GAS_ECADD),
    "ecmul": pyevm.ecmul(gas_cost=GAS_ECMUL),
    "ecpairing": pyevm.ecpairing(gas_cost_base=GAS_ECPAIRING_BASE, gas_cost_per_point=GAS_ECPAIRING_PER_POINT),
}
FAST = {"ecadd": ours.ecadd, "ecmul": ours.ecmul, "ecpairing": ours.ecpairing}
ADDRESS = {"ecadd": "0x" + "06".rjust(40, "0"), "ecmul": "0x" + "07".rjust(40, "0"), "ecpairing": "0x" + "08".rjust(40, "0")}


class _Message:
    def __init__(self, data: bytes):
        self.data = data
        self.data_as_bytes = data


class Computation:
    """What a precompile touches of py-evm's computation: the call data, its real gas meter, output."""

    def __init__(self, data: bytes, gas: int):
        self.msg = _Message(data)
        self.gas_meter = GasMeter(gas)
        self.output = b""

    def consume_gas(self, amount: int, reason: str) -> None:
        self.gas_meter.consume_gas(amount, reason)


def outcome(precompile, data: bytes, gas: int):
    computation = Computation(data, gas)
    try:
        precompile(computation)
    except VMError as exc:
        return type(exc).__name__, str(exc)
    return computation.output, computation.gas_meter.gas_remaining


def assert_same(name: str, data: bytes, gas: int = 10**7):
    assert outcome(FAST[name], data, gas) == outcome(REFERENCE[name], data, gas)


def words(*values: int) -> bytes:
    return b"".join(v.to_bytes(32, "big") for v in values)


def g2_words(q) -> tuple[int, int, int, int]:
    (x0, x1), (y0, y1) = q
    return (x1, x0, y1, y0)  # EIP-197: imaginary part first


scalar = st.integers(min_value=0, max_value=2**256 - 1)
OUTSIDE = g2_point_outside_subgroup()


@st.composite
def g1_inputs(draw):
    """A G1 point as two words: valid, infinity, off the curve, or a coordinate ≥ q."""
    k = draw(st.integers(min_value=1, max_value=R - 1))
    p = g1_mul(G1_GENERATOR, k)
    kind = draw(st.sampled_from(["valid", "valid", "infinity", "off", "big"]))
    return {
        "valid": p,
        "infinity": (0, 0),
        "off": (p[0], (p[1] + 1) % Q),
        "big": (p[0] + Q, p[1]),
    }[kind]


@st.composite
def g2_inputs(draw):
    k = draw(st.integers(min_value=1, max_value=R - 1))
    q = g2_mul(G2_GENERATOR, k)
    kind = draw(st.sampled_from(["valid", "valid", "valid", "infinity", "off", "outside", "big"]))
    return {
        "valid": q,
        "infinity": ((0, 0), (0, 0)),
        "off": (q[0], (q[1][0], (q[1][1] + 1) % Q)),
        "outside": OUTSIDE,
        "big": ((q[0][0] + Q, q[0][1]), q[1]),
    }[kind]


@settings(max_examples=40, deadline=None)
@given(p=g1_inputs(), q=g1_inputs(), cut=st.integers(min_value=0, max_value=140), relation=st.sampled_from(["any", "same", "neg"]))
def test_ecadd(p, q, cut, relation):
    q = {"any": q, "same": p, "neg": (p[0], (Q - p[1]) % Q)}[relation]
    data = words(*p, *q)
    assert_same("ecadd", data)
    assert_same("ecadd", data[:cut])  # short input reads as zeros
    assert_same("ecadd", data + b"\x01" * 7)  # extra input is ignored
    assert_same("ecadd", data, gas=GAS_ECADD - 1)


@settings(max_examples=30, deadline=None)
@given(p=g1_inputs(), k=scalar, edge=st.sampled_from([None, 0, 1, R - 1, R, R + 1, 2**256 - 1]), cut=st.integers(min_value=0, max_value=100))
def test_ecmul(p, k, edge, cut):
    data = words(*p, k if edge is None else edge)
    assert_same("ecmul", data)
    assert_same("ecmul", data[:cut])
    assert_same("ecmul", data, gas=GAS_ECMUL - 1)


@settings(max_examples=12, deadline=None)
@given(
    pairs=st.lists(st.tuples(g1_inputs(), g2_inputs()), min_size=0, max_size=3),
    balance=st.booleans(),
    extra=st.integers(min_value=0, max_value=191),
)
def test_ecpairing(pairs, balance, extra):
    """Random pairs (mostly invalid somewhere), and balanced products e(aP, Q)·e(−aP, Q) = 1."""
    if balance and pairs:
        p, q = pairs[0]
        pairs = [*pairs, ((p[0], (Q - p[1]) % Q), q)]
    data = b"".join(words(*p, *g2_words(q)) for p, q in pairs)
    assert_same("ecpairing", data)
    if extra:
        assert_same("ecpairing", data + b"\0" * extra)  # not a multiple of 192 bytes
    n = len(data) // 192
    assert_same("ecpairing", data, gas=GAS_ECPAIRING_BASE + n * GAS_ECPAIRING_PER_POINT - 1)


def test_ecpairing_true_and_false():
    p, q = g1_mul(G1_GENERATOR, 5), g2_mul(G2_GENERATOR, 9)
    valid = words(*p, *g2_words(q), *g1_neg(p), *g2_words(q))
    assert outcome(FAST["ecpairing"], valid, 10**6)[0] == words(1)
    assert_same("ecpairing", valid)
    assert_same("ecpairing", words(*p, *g2_words(q), *p, *g2_words(g2_neg(g2_neg(q)))))
    assert_same("ecpairing", b"")


@pytest.fixture(scope="module")
def chains():
    """The embedded chain (fast precompiles) and a chain of py-evm's unmodified Prague VM."""
    from web3 import EthereumTesterProvider, Web3

    from protocol.chain.client import Chain

    return Chain.embedded_chain().w3, Web3(EthereumTesterProvider())


def through_chain(w3, name: str, data: bytes, gas: int):
    """(eth_call's output or error, the receipt's status and gas used) of a call to the precompile."""
    tx = {"from": w3.eth.accounts[0], "to": w3.to_checksum_address(ADDRESS[name]), "data": data, "gas": gas}
    try:
        output = bytes(w3.eth.call(tx))
    except TransactionFailed as exc:
        output = str(exc)
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction(tx))
    return output, receipt["status"], receipt["gasUsed"]


@pytest.mark.slow
def test_through_the_chain_equals_py_evm(chains):
    fast, reference = chains
    p, q = g1_mul(G1_GENERATOR, 3), g2_mul(G2_GENERATOR, 4)
    balanced = words(*p, *g2_words(q), *g1_neg(p), *g2_words(q))
    cases = [
        ("ecadd", words(*p, *G1_GENERATOR), 100_000),
        ("ecadd", words(1, 3, 1, 2), 100_000),
        ("ecmul", words(*p, 2**256 - 1), 100_000),
        ("ecmul", words(*p, 5), 21_000 + GAS_ECMUL - 1),
        ("ecpairing", balanced, 500_000),
        ("ecpairing", words(*p, *g2_words(q)), 500_000),
        ("ecpairing", words(*p, *g2_words(OUTSIDE)), 500_000),
        ("ecpairing", balanced[:-1], 500_000),
        ("ecpairing", balanced, 100_000),
    ]
    for name, data, gas in cases:
        assert through_chain(fast, name, data, gas) == through_chain(reference, name, data, gas), (name, gas)
