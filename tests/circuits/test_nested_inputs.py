"""Statement inputs that nest dataclasses: a `Note` and a `MerklePath` declared once and reused.

Nesting only names and groups the inputs: the wires come in the same order as the flat fields,
so the nested form of a registered circuit compiles to the same R1CS (same digest). The path is
the trade circuits' own (circuits/trade/spend.py), which they nest the same way."""

from dataclasses import dataclass

import pytest

from circuits import registry
from circuits.catalog import MembershipPublic, membership_example
from circuits.dsl import Api, Statement, Var
from circuits.gadgets.merkle import merkle_membership_gadget
from circuits.gadgets.poseidon import poseidon_hash, poseidon_hash_gadget
from circuits.trade.spend import MerklePath
from zk.errors import MalformedInput, Unsatisfied


@dataclass(frozen=True)
class Note:
    asset: Var
    amount: Var
    blinding: Var


@dataclass(frozen=True)
class MembershipByPath:
    leaf: Var
    path: MerklePath


def define_membership_by_path(api: Api, pub: MembershipPublic, priv: MembershipByPath) -> None:
    merkle_membership_gadget(api, pub.root, priv.leaf, priv.path.siblings, priv.path.path_bits)


def by_path(depth: int) -> Statement:
    return Statement(f"merkle{depth}", "membership, the path as one struct", MembershipPublic, MembershipByPath,
                     define_membership_by_path, lambda pub: [pub.root],
                     sizes={"path.siblings": depth, "path.path_bits": depth})


def test_a_nested_path_compiles_to_the_flat_circuit():
    nested, flat = by_path(4), registry.get("merkle4")
    assert nested.r1cs.digest() == flat.r1cs.digest()
    assert nested.n_private_inputs == flat.n_private_inputs == 1 + 4 + 4
    assert nested.r1cs.wire_names[2:5] == ("leaf", "path.siblings[0]", "path.siblings[1]")
    pub, priv = membership_example(4)
    w = nested.witness({"root": pub.root, "leaf": priv.leaf, "path": {"siblings": priv.siblings, "path_bits": priv.path_bits}})
    assert w == flat.witness(flat.example_inputs())


# -- a statement with two notes (a list of structs) and a nested public struct ------------------


@dataclass(frozen=True)
class Transfer:
    amount: Var
    asset: Var


@dataclass(frozen=True)
class SplitPublic:
    commitments: list[Var]
    transfer: Transfer


@dataclass(frozen=True)
class SplitPrivate:
    notes: list[Note]


def commit(api: Api, note: Note) -> Var:
    return poseidon_hash_gadget(api, [note.asset, note.amount, note.blinding])


def define_split(api: Api, pub: SplitPublic, priv: SplitPrivate) -> None:
    """Two notes of the transfer's asset whose amounts sum to it, with public commitments."""
    for i, (note, c) in enumerate(zip(priv.notes, pub.commitments, strict=True)):
        with api.scope(f"note {i}"):
            api.assert_equal(note.asset, pub.transfer.asset)
            api.assert_equal(commit(api, note), c)
    api.assert_equal(priv.notes[0].amount + priv.notes[1].amount, pub.transfer.amount)


def split_public_inputs(pub: SplitPublic) -> list:
    return [pub.transfer.asset, pub.transfer.amount, *pub.commitments]


def split_example() -> tuple[SplitPublic, SplitPrivate]:
    notes = [Note(7, 30, 101), Note(7, 12, 202)]
    commitments = [poseidon_hash([n.asset, n.amount, n.blinding]) for n in notes]
    return SplitPublic(commitments, Transfer(42, 7)), SplitPrivate(notes)


SPLIT = Statement("split", "two notes sum to a transfer", SplitPublic, SplitPrivate, define_split,
                  split_public_inputs, sizes={"commitments": 2, "notes": 2}, example=split_example)


def test_lists_of_structs_and_nested_publics():
    pub, priv = split_example()
    w = SPLIT.witness_for(pub, priv)
    assert SPLIT.public_names == ["transfer.asset", "transfer.amount", "commitments[0]", "commitments[1]"]
    assert SPLIT.r1cs.public_inputs(w) == SPLIT.public_inputs(pub) == [7, 42, *pub.commitments]
    assert SPLIT.n_private_inputs == 6
    assert SPLIT.r1cs.wire_names[5:8] == ("notes[0].asset", "notes[0].amount", "notes[0].blinding")
    assert w[5:11] == [7, 30, 101, 7, 12, 202]  # private inputs in field order, struct by struct


def test_a_broken_nested_input_names_its_path():
    inputs = SPLIT.example_inputs()
    assert inputs["notes"][1] == {"asset": 7, "amount": 12, "blinding": 202}  # asdict nests
    inputs["transfer"]["amount"] = 43
    with pytest.raises(Unsatisfied, match=r"^split: constraint \d+ \(assert_equal\) unsatisfied"):
        SPLIT.witness(inputs)
    inputs["notes"][1]["asset"] = 8
    with pytest.raises(Unsatisfied, match=r"^split/note 1: "):
        SPLIT.witness(inputs)


@pytest.mark.parametrize("change, message", [
    (lambda i: i["notes"][0].pop("blinding"), r"input notes\[0\] of split takes inputs .*missing \['blinding'\]"),
    (lambda i: i["transfer"].update(fee=1), r"input transfer of split takes inputs .*unexpected \['fee'\]"),
    (lambda i: i.update(transfer=42), r"input transfer of split is a Transfer: give its fields \['amount', 'asset'\]"),
    (lambda i: i.update(notes=i["notes"][:1]), r"input notes of split must be a list of 2 Notes"),
    (lambda i: i["notes"][1].update(amount=[12]), r"input notes\[1\]\.amount of split is one field element"),
    (lambda i: i.pop("notes"), r"circuit split takes inputs .*missing \['notes'\]"),
])
def test_malformed_nested_inputs_say_where(change, message):
    inputs = SPLIT.example_inputs()
    change(inputs)
    with pytest.raises(MalformedInput, match=message):
        SPLIT.witness(inputs)


def test_sizes_must_name_nested_list_fields():
    with pytest.raises(ValueError, match=r"sizes given for fields that do not exist: \['path.sibling'\]"):
        Statement("bad", "", MembershipPublic, MembershipByPath, define_membership_by_path, lambda pub: [pub.root],
                  sizes={"path.sibling": 4, "path.siblings": 4, "path.path_bits": 4})
    with pytest.raises(ValueError, match=r"input path.path_bits is a list: give its length in sizes"):
        Statement("bad", "", MembershipPublic, MembershipByPath, define_membership_by_path, lambda pub: [pub.root],
                  sizes={"path.siblings": 4})
