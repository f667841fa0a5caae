"""Keys for the fixture circuits, built once per process (setup is the slow part)."""

from functools import cache

from circuits import registry
from zk.groth16 import prepare_verifying_key, setup


@cache
def keys(name: str, reduction: str = "circom"):
    c = registry.get(name)
    pk = setup(c.r1cs, seed=7, reduction=reduction)
    return c, pk, prepare_verifying_key(pk.vk)
