"""Verifier contracts generated from a verifying key: Solidity and Vyper."""
