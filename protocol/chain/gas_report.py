"""Measure the gas table of docs/gas.md: our verifiers beside snarkjs's, and the pool's entry points.

    python -m protocol.chain.gas_report            # on a throwaway anvil (embedded chain without node)

Every figure is a transaction's gasUsed (21,000 intrinsic and calldata included) on a Prague
chain; anvil and the embedded chain charge identically (CHAIN.md). Keys are dev keys of the
stand-in circuit with the protocol's public-input count (free_publics8: a leg and a withdrawal
both have 8).
"""

import subprocess
import tempfile
from pathlib import Path

from circuits import registry
from zk.formats.calldata import proof_words
from zk.groth16 import prove, setup
from zk.verifier_contracts.solidity import solidity_verifier
from zk.verifier_contracts.vyper import vyper_verifier

from ..notes import deposit_inner
from ..params import ROOT_MAX_AGE
from . import devnet
from .client import Chain
from .compiler import compile_contract, compile_vyper, raw_artifact
from .deploy import deploy_pool
from .poseidon_evm import ABI as POSEIDON_ABI, poseidon_artifact
from .snarkjs_verifier import snarkjs_solidity_verifier

GAS = 3_000_000
MEMO = bytes(range(128))  # one note's encrypted memo, as the recovery design sizes it


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


def _pool_story(chain: Chain, pk, memo: bytes, relayed: bool) -> dict[str, int]:
    """gasUsed of one fresh pool's history: 3 deposits, a settlement, a withdrawal, 36 more
    deposits. Histories that differ only in the memos or the relayer cost the same elsewhere (the
    tree's storage writes depend on leaf positions), so their differences are exact."""
    _, contracts = deploy_pool(chain, pk.vk, pk.vk, ("BASE", "QUOTE"), root_max_age=ROOT_MAX_AGE)
    pool, base, quote = contracts["pool"], contracts["BASE"], contracts["QUOTE"]
    user, recipient, relayer, sender = chain.accounts[1:5]
    for token in (base, quote):
        chain.transact(token.functions.mint(user, 10**24))
        chain.transact(token.functions.approve(pool.address, 10**24), sender=user)

    def deposit(i: int, token) -> int:
        fn = pool.functions.deposit(token.address, 10**18, deposit_inner(i, i), memo)
        return chain.transact(fn, sender=user, gas=GAS).gas_used

    gas = {"first deposit": deposit(0, base)}
    deposit(1, quote)
    gas["third deposit"] = deposit(2, base)
    root = chain.call(pool.functions.lastRoot())
    deadline = chain.w3.eth.get_block("latest")["timestamp"] + 3600

    def leg(side: int):
        public = [root, 1 + side, 2, 3, 777, 888 + side, side, deadline]
        (proof, x), = _prove_all(pk, "free_publics8", [public])
        return {"proof": dict(zip("abc", proof_words(proof))), "input": x, "memo": memo * 2}

    gas["settle"] = chain.transact(pool.functions.settle(leg(0), leg(1)), gas=GAS).gas_used
    root = chain.call(pool.functions.lastRoot())
    paid = relayer if relayed else "0x" + "00" * 20
    fee = 10**15 if relayed else 0
    public = [root, 9, int(base.address, 16), 10**17, int(recipient, 16), int(paid, 16), fee, 10]
    (proof, _), = _prove_all(pk, "free_publics8", [public])
    withdrawal = (root, 9, base.address, 10**17, recipient, paid, fee, 10)
    fn = pool.functions.withdraw(dict(zip("abc", proof_words(proof))), withdrawal, memo)
    gas["withdraw"] = chain.transact(fn, sender=sender if relayed else user, gas=GAS).gas_used
    superseded = chain.call(pool.functions.lastRoot())
    for i in range(36):
        last = deposit(10 + i, base)
    gas["40th deposit"] = last
    current = chain.call(pool.functions.lastRoot())
    for label, value in (("current", current), ("36 roots back", superseded), ("unknown", 12345)):
        gas[f"isKnownRoot({label})"] = chain.transact(pool.functions.isKnownRoot(value), gas=GAS).gas_used
    return gas


def _pool_rows(chain: Chain) -> list[tuple[str, int, str]]:
    pk = _key("free_publics8")
    plain = _pool_story(chain, pk, b"", relayed=False)
    memos = _pool_story(chain, pk, MEMO, relayed=False)
    relayed = _pool_story(chain, pk, b"", relayed=True)

    def more(other: dict, key: str, what: str) -> str:
        return f"+{other[key] - plain[key]:,} for {what}"

    return [
        ("deposit (first ever: tree slots written for the first time)", plain["first deposit"], ""),
        ("deposit (third)", plain["third deposit"],
         "22 Poseidon hashes (2 for the commitment, 20 up the tree) + ERC-20 transferFrom"),
        ("deposit (40th)", plain["40th deposit"], "a 30-root ring would have wrapped by now"),
        ("deposit (third), 128-byte memo", memos["third deposit"], more(memos, "third deposit", "the memo")),
        ("settle (2 leg proofs, one 5-pair check; 4 leaves in one batch)", plain["settle"], ""),
        ("settle, each leg with a 2×128-byte memo", memos["settle"], more(memos, "settle", "512 bytes of memos")),
        ("withdraw, direct (1 proof, change note appended, ERC-20 transfer)", plain["withdraw"], ""),
        ("withdraw, relayed (sent by a third account; fee to the relayer)", relayed["withdraw"],
         more(relayed, "withdraw", "the second ERC-20 transfer")),
        ("withdraw, direct, 128-byte change memo", memos["withdraw"], more(memos, "withdraw", "the memo")),
        ("isKnownRoot(the current root), as a transaction", plain["isKnownRoot(current)"], ""),
        ("isKnownRoot(a root superseded 36 roots ago), as a transaction", plain["isKnownRoot(36 roots back)"], ""),
        ("isKnownRoot(an unknown root), as a transaction", plain["isKnownRoot(unknown)"], ""),
    ]


def measure(chain: Chain, root: Path) -> list[tuple[str, int | str, str]]:
    return (_verifier_rows(chain, "cubic", "1 public input") + _verifier_rows(chain, "free_publics8", "8 public inputs")
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
