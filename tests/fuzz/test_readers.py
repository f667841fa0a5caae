"""Every reader fed hostile variants of a valid file: a user error (or valid content), never a
traceback of another kind, never a crash. Each test prints its case count and outcomes."""

from collections.abc import Mapping

import pytest
from hypothesis import strategies as st

from circuits import registry
from zk.ceremony import phase1, phase2
from zk.ceremony.rng import ChaCha
from zk.circom.witness import calculate_witness, flatten_inputs
from zk.errors import MalformedInput
from zk.formats.iden3 import parse_container
from zk.formats.native import HEADER_FIELDS, MAGIC as PK_MAGIC, decode_proving_key, encode_proving_key
from zk.formats.snarkjs_json import (
    proof_from_json,
    proof_to_json,
    public_from_json,
    public_to_json,
    vk_from_json,
    vk_to_json,
)
from zk.groth16 import prove
from zk.jsonio import parse_json

from ..support import circom as circom_artifacts
from ..support.keys import keys
from ..zk.test_formats import with_header
from ..zk.test_iden3_formats import cubic_zkey, sample_files
from .mutations import SPECIAL_JSON, binary_mutations, fuzz, json_mutations


def iden3_fields(blob: bytes) -> tuple[list[int], list[int]]:
    """Offsets of the container's counts: n_sections and each section's type (u32), size (u64)."""
    f = parse_container(blob, blob[:4], (int.from_bytes(blob[4:8], "little"),), "sample")
    u32s, u64s, pos = [8], [], 12
    for _, body in f.sections:
        u32s.append(pos)
        u64s.append(pos + 4)
        pos += 12 + len(body)
    return u32s, u64s


EXAMPLES = {"r1cs": 300, "wtns": 300, "ptau": 150, "zkey": 150}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_iden3_files(name, capsys):
    raw, decode = sample_files()[name]
    u32s, u64s = iden3_fields(raw)
    fuzz(f".{name}", decode, binary_mutations(raw, u32s, u64s, "little"), EXAMPLES[name], capsys)


def test_native_proving_key(capsys):
    """Bytes damaged anywhere, the header's length word, and every header field set to
    0, 2^32 − 1, −1, a string, a float, null, …"""
    blob = encode_proving_key(keys("cubic")[1])
    header_length_at = len(PK_MAGIC) + 2
    fields = st.tuples(st.sampled_from(sorted(HEADER_FIELDS)), st.sampled_from(SPECIAL_JSON)).map(
        lambda fv: (f"header {fv[0]} = {fv[1]!r:.12}", with_header(blob, **{fv[0]: fv[1]}))
    )
    mutations = st.one_of(binary_mutations(blob, [header_length_at], [], "big"), fields)
    fuzz("native .pk", decode_proving_key, mutations, 150, capsys)


@pytest.fixture(scope="module")
def snarkjs_documents():
    c, pk, _ = keys("cubic")
    w = c.witness(c.example_inputs())
    return {
        "verification_key.json": (vk_to_json(pk.vk), vk_from_json),
        "proof.json": (proof_to_json(prove(pk, c.r1cs, w)), proof_from_json),
        "public.json": (public_to_json(c.r1cs.public_inputs(w)), public_from_json),
    }


@pytest.mark.parametrize("name", ["verification_key.json", "proof.json", "public.json"])
def test_snarkjs_json(name, snarkjs_documents, capsys):
    document, from_json = snarkjs_documents[name]
    fuzz(name, lambda data: from_json(parse_json(data, name)), json_mutations(document), 120, capsys)


def circuit_input_reader(name: str):
    """What `zktrade prove NAME --input` does with the file: parse it, then solve the circuit."""
    c = registry.get(name)

    def read(data: bytes):
        return c.witness(parse_json(data, "circuit input"))

    return read


@pytest.mark.parametrize("name", ["cubic", "merkle4"])
def test_circuit_input_json(name, capsys):
    document = {k: (list(map(str, v)) if isinstance(v, list) else str(v))
                for k, v in registry.get(name).example_inputs().items()}
    fuzz(f"input.json ({name})", circuit_input_reader(name), json_mutations(document), 100, capsys)


def test_ceremony_transcripts(capsys):
    """The contribution records inside a .ptau and a .zkey's MPC section."""
    rng = ChaCha.from_hash(b"fuzz".ljust(32, b"."))
    ptau, _ = phase1.contribute(phase1.new_ptau(2), rng, "fuzzer")
    fuzz("ptau contributions", phase1.decode_contributions,
         binary_mutations(ptau.contributions, [0], [], "little"), 200, capsys)
    zkey, _ = phase2.contribute(cubic_zkey(), rng, "fuzzer")
    fuzz("zkey MPC section", phase2.decode_mpc_params,
         binary_mutations(zkey.mpc_params, [64], [], "little"), 200, capsys)


@pytest.mark.node
def test_circom_input_json(capsys):
    small = circom_artifacts.circuit("small")

    def read(data: bytes):
        inputs = parse_json(data, "circom input")
        if not isinstance(inputs, Mapping):
            raise MalformedInput("circom input: expected a JSON object")
        flatten_inputs(inputs)
        return calculate_witness(small.wasm, inputs)

    fuzz("circom input.json", read, json_mutations(small.input), 100, capsys)
