// Poseidon test vectors from circomlibjs (the reference our gadget and native hash must equal).
// Regenerate from the repository root:
//   node tests/circuits/vectors/poseidon_vectors.mjs > tests/circuits/vectors/poseidon_circomlibjs.json
// With an argument (a JSON list of input lists) it hashes those instead: used by the live test.
import { buildPoseidon } from "circomlibjs";

const poseidon = await buildPoseidon();
const F = poseidon.F;
const r = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

function fixedCases() {
  const cases = [];
  let seed = 12345n;
  const next = () => { seed = (seed * 6364136223846793005n + 1442695040888963407n) % (1n << 256n); return seed % r; };
  for (let n = 1; n <= 6; n++) {
    cases.push(Array.from({length: n}, (_, i) => BigInt(i + 1)));
    cases.push(Array.from({length: n}, () => 0n));
    cases.push(Array.from({length: n}, () => r - 1n));
    for (let k = 0; k < 3; k++) cases.push(Array.from({length: n}, next));
  }
  return cases;
}

const inputs = process.argv[2] ? JSON.parse(process.argv[2]).map(c => c.map(BigInt)) : fixedCases();
const out = inputs.map(c => ({inputs: c.map(String), hash: F.toObject(poseidon(c)).toString()}));
process.stdout.write(JSON.stringify(out, null, 1) + "\n");
