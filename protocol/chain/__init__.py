"""The chain: contracts (Solidity sources, generated verifiers, Poseidon bytecode), compilation,
deployment, the web3 client over the embedded py-evm chain or a node, anvil devnets, event sync.

Importing this package imports no web3; `client` (and what uses it) does.
"""
