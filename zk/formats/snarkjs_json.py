"""snarkjs's JSON schema for verification_key.json, proof.json and public.json.

Points are affine with a third projective coordinate: G1 ["x", "y", "1"], G2
[["x0", "x1"], ["y0", "y1"], ["1", "0"]]; infinity is ["0", "1", "0"] (G2: z = ["0", "0"]).
All numbers are decimal strings. Every value read is checked: canonical field elements,
points on the curve and, for G2, in the order-r subgroup.
"""

import json
from collections.abc import Sequence
from pathlib import Path

from ..curve import G1_INFINITY, G2_INFINITY, G1Point, G2Point, FQ12, parse_g1, parse_g2, pairing
from ..errors import MalformedInput
from ..field import canonical_fr
from ..groth16.data import Proof, VerifyingKey
from ..jsonio import load_json as read_json  # the CLI's readers import it from here


def g1_to_json(p: G1Point) -> list[str]:
    return ["0", "1", "0"] if p == G1_INFINITY else [str(p[0]), str(p[1]), "1"]


def g2_to_json(p: G2Point) -> list[list[str]]:
    if p == G2_INFINITY:
        return [["0", "0"], ["1", "0"], ["0", "0"]]
    return [[str(p[0][0]), str(p[0][1])], [str(p[1][0]), str(p[1][1])], ["1", "0"]]


def _is_zero(value) -> bool:
    return str(value).strip() in ("0", "0x0", "0x00")


def g1_from_json(value, what: str) -> G1Point:
    if not isinstance(value, list) or len(value) not in (2, 3):
        raise MalformedInput(f"{what}: expected a G1 point [x, y, z], got {value!r:.80}")
    if len(value) == 3:
        if _is_zero(value[2]):
            return G1_INFINITY
        if str(value[2]).strip() != "1":
            raise MalformedInput(f"{what}: z must be \"1\" (affine) or \"0\" (infinity)")
    return parse_g1(value[:2], what)


def g2_from_json(value, what: str) -> G2Point:
    if not isinstance(value, list) or len(value) not in (2, 3) or not all(
        isinstance(c, list) and len(c) == 2 for c in value
    ):
        raise MalformedInput(f"{what}: expected a G2 point [[x0,x1],[y0,y1],[z0,z1]]")
    if len(value) == 3:
        z = value[2]
        if _is_zero(z[0]) and _is_zero(z[1]):
            return G2_INFINITY
        if not (str(z[0]).strip() == "1" and _is_zero(z[1])):
            raise MalformedInput(f"{what}: z must be [\"1\",\"0\"] (affine) or zero (infinity)")
    return parse_g2(value[:2], what)


def fq12_to_tower(f: FQ12) -> list[list[list[str]]]:
    """py_ecc's Fq[w]/(w¹² − 18w⁶ + 82) → snarkjs's tower Fq2[v][w] (u = w⁶ − 9, v = w²)."""
    c = [int(x) for x in f.coeffs]
    q = FQ12.field_modulus
    out = [[[None, None] for _ in range(3)] for _ in range(2)]
    for k in range(6):
        b = c[k + 6] % q
        a = (c[k] + 9 * b) % q
        out[k % 2][k // 2] = [str(a), str(b)]
    return out


# ffjavascript's final exponentiation (the Fuentes-Castañeda et al. hard part) computes the
# reduced pairing raised to 2u(6u² + 3u + 1), u = 4965661367192848881 the BN254 parameter: a
# different but equally valid pairing. vk_alphabeta_12 is that value, checked against snarkjs's
# exported keys in tests/zk/test_circom_interop.py.
_BN254_U = 4965661367192848881
FFJAVASCRIPT_PAIRING_EXPONENT = 2 * _BN254_U * (6 * _BN254_U**2 + 3 * _BN254_U + 1)


def vk_to_json(vk: VerifyingKey) -> dict:
    return {
        "protocol": "groth16",
        "curve": "bn128",
        "nPublic": vk.n_public,
        "vk_alpha_1": g1_to_json(vk.alpha_g1),
        "vk_beta_2": g2_to_json(vk.beta_g2),
        "vk_gamma_2": g2_to_json(vk.gamma_g2),
        "vk_delta_2": g2_to_json(vk.delta_g2),
        "vk_alphabeta_12": fq12_to_tower(pairing(vk.alpha_g1, vk.beta_g2) ** FFJAVASCRIPT_PAIRING_EXPONENT),
        "IC": [g1_to_json(p) for p in vk.gamma_abc_g1],
    }


def _header(obj, what: str) -> None:
    if not isinstance(obj, dict):
        raise MalformedInput(f"{what}: expected a JSON object")
    if obj.get("protocol", "groth16") != "groth16":
        raise MalformedInput(f"{what}: protocol is {obj.get('protocol')!r}, only groth16 is supported")
    if obj.get("curve", "bn128") not in ("bn128", "bn254", "alt_bn128"):
        raise MalformedInput(f"{what}: curve is {obj.get('curve')!r}, only bn128 (BN254) is supported")


def vk_from_json(obj, what: str = "verification key") -> VerifyingKey:
    _header(obj, what)
    try:
        ic = obj["IC"]
        vk = VerifyingKey(
            alpha_g1=g1_from_json(obj["vk_alpha_1"], f"{what}: vk_alpha_1"),
            beta_g2=g2_from_json(obj["vk_beta_2"], f"{what}: vk_beta_2"),
            gamma_g2=g2_from_json(obj["vk_gamma_2"], f"{what}: vk_gamma_2"),
            delta_g2=g2_from_json(obj["vk_delta_2"], f"{what}: vk_delta_2"),
            gamma_abc_g1=tuple(g1_from_json(p, f"{what}: IC[{i}]") for i, p in enumerate(ic)),
        )
    except KeyError as missing:
        raise MalformedInput(f"{what}: missing field {missing}") from None
    except TypeError:
        raise MalformedInput(f"{what}: IC must be a list of points") from None
    if not vk.gamma_abc_g1:
        raise MalformedInput(f"{what}: IC is empty (it needs one point per public input plus one)")
    if "nPublic" in obj and obj["nPublic"] != vk.n_public:
        raise MalformedInput(f"{what}: nPublic = {obj['nPublic']} but IC has {len(ic)} points")
    return vk


def proof_to_json(proof: Proof) -> dict:
    return {
        "pi_a": g1_to_json(proof.a),
        "pi_b": g2_to_json(proof.b),
        "pi_c": g1_to_json(proof.c),
        "protocol": "groth16",
        "curve": "bn128",
    }


def proof_from_json(obj, what: str = "proof") -> Proof:
    _header(obj, what)
    try:
        return Proof(
            a=g1_from_json(obj["pi_a"], f"{what}: pi_a"),
            b=g2_from_json(obj["pi_b"], f"{what}: pi_b"),
            c=g1_from_json(obj["pi_c"], f"{what}: pi_c"),
        )
    except KeyError as missing:
        raise MalformedInput(f"{what}: missing field {missing}") from None


def public_to_json(public: Sequence[int]) -> list[str]:
    return [str(x) for x in public]


def public_from_json(obj, what: str = "public inputs") -> list[int]:
    if not isinstance(obj, list):
        raise MalformedInput(f"{what}: expected a JSON list of decimal strings")
    return [canonical_fr(x, f"{what}[{i}]") for i, x in enumerate(obj)]


def write_json(path: str | Path, obj) -> None:
    """Write atomically: a temporary file renamed into place, so a crash never leaves half a file."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)


def load_vk(path) -> VerifyingKey:
    return vk_from_json(read_json(path, "verification key"), f"verification key {path}")


def load_proof(path) -> Proof:
    return proof_from_json(read_json(path, "proof"), f"proof {path}")


def load_public(path) -> list[int]:
    return public_from_json(read_json(path, "public inputs"), f"public inputs {path}")
