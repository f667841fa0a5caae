"""The compiled Solidity contracts the package ships, so deploying and calling them needs no Node.js.

Pool.json (the pool with its Merkle tree: MerkleTreeWithHistory is abstract and compiles into
Pool) holds the ABI and the creation code that the pinned solc-js makes of the production
contracts in protocol/chain/contracts/ plus the generated MerkleZeros.sol; devnet/TestToken.json
the same for the devnet-only token of protocol/chain/contracts/devnet/. Each records the digest
of its own sources only, so editing a test contract leaves Pool.json as it is. Regenerate them
after changing a contract, the tree's zero hashes or the compiler settings with

    python -m protocol.chain.artifacts build     # needs Node.js and `npm ci` (pinned solc-js)

`python -m protocol.chain.artifacts check` (and tests/protocol/chain/test_compiler.py) says whether
the files still match the sources. The other contracts need no shipped file: Poseidon is
assembled in Python (poseidon_evm.py) and the verifiers are Vyper, compiled in-process per key.
"""

import hashlib
import json
from collections.abc import Mapping
from importlib.resources import files
from types import MappingProxyType

from ..compiler import Artifact, compiler_settings
from ..errors import CompileError

# Each shipped contract and its file below this package: production contracts at the top,
# devnet-only ones (test tokens) under devnet/, as their sources are in protocol/chain/contracts/.
SHIPPED: Mapping[str, str] = MappingProxyType({"Pool": "Pool.json", "TestToken": "devnet/TestToken.json"})


def sources_digest(sources: Mapping[str, str]) -> str:
    """SHA-256 of our sources and the compiler settings (OpenZeppelin is pinned by package-lock.json)."""
    what = {"sources": dict(sources), "settings": compiler_settings()}
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()


def render(artifact: Artifact, digest: str) -> str:
    """The shipped file's text: one canonical form, so a rebuild is byte-identical."""
    data = {
        "name": artifact.name,
        "compiler": artifact.compiler,
        "sources_sha256": digest,
        "deployed_size": artifact.deployed_size,
        "abi": list(artifact.abi),
        "bytecode": artifact.bytecode.hex(),
    }
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def shipped_text(name: str) -> str:
    """The text of the shipped artifact `name`, read as package data."""
    if name not in SHIPPED:
        raise CompileError(f"no shipped artifact {name!r} (shipped: {', '.join(SHIPPED)})")
    path = files(__package__)
    for part in SHIPPED[name].split("/"):
        path = path.joinpath(part)
    return path.read_text()


def load(name: str, sources: Mapping[str, str]) -> Artifact:
    """The shipped artifact `name`, refused if it was built from other `sources` than these."""
    data = json.loads(shipped_text(name))
    if data["sources_sha256"] != sources_digest(sources):
        raise CompileError(
            f"the shipped {SHIPPED[name]} was built from other contract sources: rebuild it with "
            "`python -m protocol.chain.artifacts build` (needs Node.js and `npm ci`)"
        )
    return Artifact(
        name=data["name"],
        abi=tuple(data["abi"]),
        bytecode=bytes.fromhex(data["bytecode"]),
        deployed_size=data["deployed_size"],
        compiler=data["compiler"],
    )
