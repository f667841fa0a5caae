"""circom's witness calculator (.wasm) run in-process with wasmtime, without node.

The protocol is the one circom's generated witness_calculator.js speaks: each input signal is
addressed by the 64-bit FNV-1a hash of its qualified name ("a", "s.x", "arr[2].y"), split in
two 32-bit halves; values travel through a "shared RW memory" of 32-bit limbs, least
significant first; a failing `assert` or constraint traps into `runtime.exceptionHandler`.
"""

from collections.abc import Mapping
from pathlib import Path

import wasmtime

from ..errors import MalformedInput, ZkError
from ..field import R

_FNV_OFFSET, _FNV_PRIME = 0xCBF29CE484222325, 0x100000001B3
_ERRORS = {
    1: "signal not found",
    2: "too many signals set",
    3: "signal already set",
    4: "an assert or constraint failed (the inputs do not satisfy the circuit)",
    5: "not enough memory",
    6: "input signal array access exceeds the size",
    7: "out of bounds array access",
}


class WitnessError(ZkError):
    """circom's witness program rejected the inputs (or the .wasm is not one)."""


class _Abort(Exception):
    """Raised by the runtime.exceptionHandler import to unwind out of the wasm call."""


def fnv1a_64(name: str) -> int:
    h = _FNV_OFFSET
    for ch in name.encode():
        h = ((h ^ ch) * _FNV_PRIME) % (1 << 64)
    return h


def _i32(v: int) -> int:
    return v - (1 << 32) if v >= 1 << 31 else v


def input_value(value, name: str) -> int:
    """An input as circom reads it: an integer (or decimal/0x string), negatives meaning r − x."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = int(text, 16) if text.lower().startswith(("0x", "-0x")) else int(text, 10)
        except ValueError:
            raise MalformedInput(f"input {name}: {value!r} is not an integer") from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedInput(f"input {name}: expected an integer, got {type(value).__name__}")
    if not -R < value < R:
        raise MalformedInput(f"input {name}: {value} is outside (−r, r); values are never reduced")
    return value % R


def flatten_inputs(inputs: Mapping, prefix: str = "") -> dict[str, list[int]]:
    """Qualified signal name → its values in order, as witness_calculator.js flattens them."""
    out: dict[str, list[int]] = {}
    for key, value in inputs.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        _flatten_value(name, value, out)
    return out


def _flatten_value(name: str, value, out: dict[str, list[int]]) -> None:
    if isinstance(value, Mapping):
        out.update(flatten_inputs(value, name))
    elif isinstance(value, list):
        leaves: list = []
        stack = [value]
        while stack:  # flatten nested lists in order
            item = stack.pop(0)
            if isinstance(item, list):
                stack = list(item) + stack
            else:
                leaves.append(item)
        if leaves and isinstance(leaves[0], Mapping):
            for i, item in enumerate(value):
                _flatten_value(f"{name}[{i}]", item, out)
        else:
            out[name] = [input_value(v, f"{name}[{i}]") for i, v in enumerate(leaves)]
    else:
        out[name] = [input_value(value, name)]


class _Program:
    """One instantiated witness program (real state: the wasm store and its error buffer)."""

    def __init__(self, wasm: bytes, what: str):
        self.what = what
        self.engine = wasmtime.Engine()
        try:
            module = wasmtime.Module(self.engine, wasm)
        except wasmtime.WasmtimeError as exc:
            raise WitnessError(f"{what}: not a WebAssembly module ({str(exc).splitlines()[0]})") from None
        self.store = wasmtime.Store(self.engine)
        self.messages: list[str] = []
        linker = wasmtime.Linker(self.engine)
        void, one_i32 = wasmtime.FuncType([], []), wasmtime.FuncType([wasmtime.ValType.i32()], [])
        linker.define_func("runtime", "exceptionHandler", one_i32, self._exception)
        linker.define_func("runtime", "printErrorMessage", void, lambda: self.messages.append(self._message()))
        linker.define_func("runtime", "writeBufferMessage", void, lambda: self._message())
        linker.define_func("runtime", "showSharedRWMemory", void, lambda: None)
        try:
            instance = linker.instantiate(self.store, module)
        except wasmtime.WasmtimeError as exc:
            raise WitnessError(f"{what}: not a circom witness program ({str(exc).splitlines()[0]})") from None
        self.exports = instance.exports(self.store)
        self.code = 0
        self.n32 = self.call("getFieldNumLen32")
        self.call("getRawPrime")
        prime = self.read_shared()
        if prime != R:
            raise WitnessError(f"{what}: the circuit is compiled for the prime {prime}, not BN254's r (use --prime bn128)")

    def _message(self) -> str:
        chars = []
        while (c := self.call("getMessageChar")) != 0:
            chars.append(chr(c))
        return "".join(chars)

    def _exception(self, code: int) -> None:
        self.code = code
        raise _Abort(code)

    def call(self, name: str, *args: int) -> int:
        try:
            func = self.exports[name]
        except KeyError:
            raise WitnessError(f"{self.what}: the program has no export {name!r}: not a circom 2 witness .wasm") from None
        try:
            return func(self.store, *(_i32(a) for a in args))
        except (wasmtime.Trap, wasmtime.WasmtimeError, _Abort) as exc:
            reason = _ERRORS.get(self.code, str(exc).splitlines()[0])
            detail = " ".join(m.strip() for m in self.messages if m.strip())
            raise WitnessError(f"{self.what}: {reason}" + (f": {detail}" if detail else "")) from None

    def read_shared(self) -> int:
        return sum((self.call("readSharedRWMemory", j) & 0xFFFFFFFF) << (32 * j) for j in range(self.n32))

    def write_shared(self, value: int) -> None:
        for j in range(self.n32):
            self.call("writeSharedRWMemory", j, (value >> (32 * j)) & 0xFFFFFFFF)


def calculate_witness(wasm_path: str | Path, inputs: Mapping) -> list[int]:
    """The full witness (wire 0 first) for `inputs`, a JSON-like mapping as circom's input.json."""
    what = f"witness program {wasm_path}"
    try:
        wasm = Path(wasm_path).read_bytes()
    except OSError as exc:
        raise MalformedInput(f"{what}: cannot read it ({exc.strerror})") from None
    program = _Program(wasm, what)
    program.call("init", 1)
    n_set = 0
    for name, values in flatten_inputs(inputs).items():
        h = fnv1a_64(name)
        msb, lsb = h >> 32, h & 0xFFFFFFFF
        size = program.call("getInputSignalSize", msb, lsb)
        if size <= 0:  # circom answers 0 (or traps) for a name it does not know
            raise WitnessError(f"{what}: the circuit has no input signal {name!r}")
        if len(values) != size:
            raise WitnessError(f"{what}: input {name!r} needs {size} values, got {len(values)}")
        for i, v in enumerate(values):
            program.write_shared(v)
            program.call("setInputSignal", msb, lsb, i)
            n_set += 1
    expected = program.call("getInputSize")
    if n_set < expected:
        raise WitnessError(f"{what}: only {n_set} of the circuit's {expected} input values were given")
    witness = []
    for i in range(program.call("getWitnessSize")):
        program.call("getWitness", i)
        witness.append(program.read_shared())
    return witness
