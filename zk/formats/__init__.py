"""File formats: snarkjs JSON, Ethereum calldata, our native proving key, iden3 binaries."""
