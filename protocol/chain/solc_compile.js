// Compile a Solidity standard-JSON input read from stdin with the pinned solc-js; print the output.
// Usage: node solc_compile.js NODE_MODULES_DIR < input.json
const path = require("path");
const solc = require(path.resolve(process.argv[2], "solc"));
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  process.stdout.write(JSON.stringify({ version: solc.version(), output: JSON.parse(solc.compile(input)) }));
});
