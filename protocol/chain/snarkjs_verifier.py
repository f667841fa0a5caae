"""snarkjs's own Solidity verifier for a key: the reference our generated verifier is measured against.

`snarkjs zkey export solidityverifier` is `ejs.render(templates/verifier_groth16.sol.ejs, vk)`
on the key read from a .zkey; here the same template of the pinned snarkjs is rendered with
the same engine on our verification_key.json, so no .zkey is needed.
"""

import json
import shutil
import subprocess

from zk.formats.snarkjs_json import vk_to_json
from zk.groth16.data import VerifyingKey

from .compiler import node_modules
from .errors import CompileError

_RENDER = """
const [nm, vk] = [process.argv[1], JSON.parse(require("fs").readFileSync(0, "utf8"))];
const ejs = require(require("path").resolve(nm, "ejs"));
const template = require("fs").readFileSync(nm + "/snarkjs/templates/verifier_groth16.sol.ejs", "utf8");
process.stdout.write(ejs.render(template, vk));
"""


def snarkjs_solidity_verifier(vk: VerifyingKey) -> str:
    """The Solidity source snarkjs generates for `vk` (contract Groth16Verifier)."""
    template = node_modules() / "snarkjs" / "templates" / "verifier_groth16.sol.ejs"
    if shutil.which("node") is None or not template.is_file():
        raise CompileError("snarkjs's verifier template needs Node.js and `npm ci` (pinned snarkjs)")
    proc = subprocess.run(
        ["node", "-e", _RENDER, str(node_modules())],
        input=json.dumps(vk_to_json(vk)), capture_output=True, text=True,
    )
    if proc.returncode != 0:
        raise CompileError(f"rendering snarkjs's verifier failed: {proc.stderr.strip()[:500]}")
    return proc.stdout
