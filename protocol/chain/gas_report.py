"""Measure the gas table of docs/gas.md: our verifiers beside snarkjs's, and the pool's entry points.

    python -m protocol.chain.gas_report            # on a throwaway anvil (embedded chain without node)

Every figure is a transaction's gasUsed (21,000 intrinsic and calldata included) on a Prague
chain; anvil and the embedded chain charge identically (CHAIN.md). Keys are dev keys of the
stand-in circuits with the protocol's public-input counts (free_publics7, free_publics6).
"""

import subprocess
import tempfile
from pathlib import Path

from circuits import registry
from zk.export.solidity import solidity_verifier
from zk.export.vyper import vyper_verifier
from zk.formats.calldata import proof_words
from zk.groth16 import prove, setup

from ..notes import deposit_inner
from . import devnet
from .client import Chain
from .compiler import compile_contract, compile_vyper, raw_artifact
from .deploy import deploy_pool
from .poseidon_evm import ABI as POSEIDON_ABI, poseidon_artifact
from .snarkjs_verifier import snarkjs_solidity_verifier

GAS = 3_000_000


def _key(name: str):
    return setup(registry.get(name).r1cs, seed=11)


def _prove_all(pk, name: str, publics: list[list[int]]):
    """A proof of the stand-in circuit `name` for each list of public inputs."""
    c = registry.get(name)
    out = []
    for public in publics:
        witness = c.witness({n: v for n, v in zip(c.input_names, public)})
        out.append((prove(pk, c.r1cs, witness), c.r1cs.public_inputs(witness)))
    return out


def _verifier_rows(chain: Chain, name: str, label: str) -> list[tuple[str, int | str, str]]:
    c = registry.get(name)
    example = [c.example_inputs()[n] for n in c.input_names]
    pk = _key(name)
    (p1, x1), (p2, x2) = _prove_all(pk, name, [example, [v + 1 for v in example]])
    ours = chain.deploy(compile_contract("Groth16Verifier", {"V.sol": solidity_verifier(pk.vk, with_pair=True)}))
    vyper = chain.deploy(compile_vyper(vyper_verifier(pk.vk, with_pair=True), "VyperVerifier"))
    snark = chain.deploy(compile_contract("Groth16Verifier", {"S.sol": snarkjs_solidity_verifier(pk.vk)}))
    rows = []
    for who, contract in (("snarkjs 0.7.6 template", snark), ("zktrade Solidity", ours), ("zktrade Vyper", vyper)):
        fn = contract.functions.verifyProof(*proof_words(p1), x1)
        used = chain.transact(fn, gas=GAS).gas_used
        note = ""
        if not chain.embedded:
            estimate = chain.estimate_gas(fn)
            answer = chain.call(fn, gas=estimate)
            note = f"estimateGas {estimate:,} → answers {str(answer).lower()}"
        rows.append((f"verify 1 proof, {label}: {who}", used, note))
    single = rows[1][1]
    rows.append((f"verify 2 proofs, {label}: two verifyProof transactions (Solidity)", 2 * single, ""))
    for who, contract in (("zktrade Solidity", ours), ("zktrade Vyper", vyper)):
        pair = contract.functions.verifyProofPair(*proof_words(p1), x1, *proof_words(p2), x2)
        used = chain.transact(pair, gas=GAS).gas_used
        rows.append((f"verify 2 proofs, {label}: verifyProofPair (5 pairs), {who}", used,
                     f"saves {2 * single - used:,} ({100 * (2 * single - used) / (2 * single):.0f}%)"))
    return rows


def _poseidon_rows(chain: Chain, root: Path) -> list[tuple[str, int, str]]:
    ours = chain.deploy(poseidon_artifact())
    rows = [("Poseidon(2) call: zktrade bytecode", chain.transact(ours.functions.poseidon([1, 2]), gas=GAS).gas_used,
             f"{poseidon_artifact().deployed_size:,} bytes of code")]
    try:
        code = subprocess.run(
            ["node", "--input-type=module", "-e",
             "import {poseidonContract} from 'circomlibjs'; process.stdout.write(poseidonContract.createCode(2))"],
            cwd=root, capture_output=True, text=True, check=True, timeout=120).stdout
    except (OSError, subprocess.CalledProcessError):
        return rows
    theirs = chain.deploy(raw_artifact("CircomlibPoseidon", bytes.fromhex(code.removeprefix("0x")), 0, POSEIDON_ABI))
    rows.append(("Poseidon(2) call: circomlibjs 0.1.7 bytecode",
                 chain.transact(theirs.functions.poseidon([1, 2]), gas=GAS).gas_used, ""))
    return rows


def _pool_rows(chain: Chain) -> list[tuple[str, int, str]]:
    leg_pk, withdraw_pk = _key("free_publics7"), _key("free_publics6")
    _, contracts = deploy_pool(chain, leg_pk.vk, withdraw_pk.vk, ("BASE", "QUOTE"))
    pool, base, quote = contracts["pool"], contracts["BASE"], contracts["QUOTE"]
    user, recipient = chain.accounts[1], chain.accounts[2]
    for token in (base, quote):
        chain.transact(token.functions.mint(user, 10**24))
        chain.transact(token.functions.approve(pool.address, 10**24), sender=user)
    rows = []
    deposits = [chain.transact(pool.functions.deposit(t.address, 10**18, deposit_inner(i, i)), sender=user, gas=GAS).gas_used
                for i, t in enumerate((base, quote, base))]
    rows.append(("deposit (first ever: tree slots written for the first time)", deposits[0], ""))
    rows.append(("deposit (third)", deposits[2], "22 Poseidon hashes (2 for the commitment, 20 up the tree) + ERC-20 transferFrom"))
    root = chain.call(pool.functions.lastRoot())

    def leg(side, nullifier, received, change):
        public = [root, nullifier, received, change, 777, 888 + side, side]
        (proof, x), = _prove_all(leg_pk, "free_publics7", [public])
        return {"proof": dict(zip("abc", proof_words(proof))), "input": x}

    settle = pool.functions.settle(leg(0, 1, 2, 3), leg(1, 4, 5, 6))
    rows.append(("settle (2 leg proofs, one 5-pair check; 4 leaves in one batch)",
                 chain.transact(settle, gas=GAS).gas_used, ""))
    root = chain.call(pool.functions.lastRoot())
    public = [root, 9, int(base.address, 16), 10**17, int(recipient, 16), 10]
    (proof, _), = _prove_all(withdraw_pk, "free_publics6", [public])
    fn = pool.functions.withdraw(dict(zip("abc", proof_words(proof))), root, 9, base.address, 10**17, recipient, 10)
    rows.append(("withdraw (1 proof, change note appended, ERC-20 transfer)", chain.transact(fn, gas=GAS).gas_used, ""))
    return rows


def measure(chain: Chain, root: Path) -> list[tuple[str, int | str, str]]:
    return (_verifier_rows(chain, "cubic", "1 public input") + _verifier_rows(chain, "free_publics7", "7 public inputs")
            + _poseidon_rows(chain, root) + _pool_rows(chain))


def table(rows) -> str:
    lines = ["| operation | gas | note |", "|---|---:|---|"]
    lines += [f"| {what} | {gas:,} | {note} |" for what, gas, note in rows]
    return "\n".join(lines)


def main() -> None:
    root = Path(__file__).resolve().parents[2]
    with tempfile.TemporaryDirectory() as tmp:
        try:
            node = devnet.up(Path(tmp))
        except devnet.DevnetError:
            node = None
        try:
            chain = Chain.connect(node.url) if node else Chain.embedded_chain()
            print(f"chain: {'anvil ' + node.url if node else 'embedded py-evm'}\n")
            print(table(measure(chain, root)))
        finally:
            if node:
                devnet.down(Path(tmp))


if __name__ == "__main__":
    main()
