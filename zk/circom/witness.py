"""circom's witness calculator (.wasm) run in-process with wasmtime, without node.

The protocol is the one circom's generated witness_calculator.js speaks: each input signal is
addressed by the 64-bit FNV-1a hash of its qualified name ("a", "s.x", "arr[2].y"), split in
two 32-bit halves; values travel through a "shared RW memory" of 32-bit limbs, least
significant first; a failing `assert` or constraint traps into `runtime.exceptionHandler`.
"""

import struct
from collections.abc import Mapping, Sequence
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


JS_SAFE_INTEGER = (1 << 53) - 1  # above it, JSON.parse (and so snarkjs) rounds an unquoted number


def _list_leaves(value: list) -> list:
    """The non-list items of nested lists, in order (iterative: linear time, any depth)."""
    leaves: list = []
    stack = [iter(value)]
    while stack:
        for item in stack[-1]:
            if isinstance(item, list):
                stack.append(iter(item))
                break
            leaves.append(item)
        else:
            stack.pop()
    return leaves


def signal_inputs(inputs: Mapping) -> dict[str, list[tuple[str, object]]]:
    """Qualified signal name → its (label, raw JSON value) pairs in order, as witness_calculator.js
    flattens them: objects by "a.b", arrays of objects by "a[i].b", nested number arrays as one."""
    out: dict[str, list[tuple[str, object]]] = {}
    stack: list[tuple[str, object]] = [(str(key), value) for key, value in reversed(inputs.items())]
    while stack:
        name, value = stack.pop()
        if isinstance(value, Mapping):
            stack += [(f"{name}.{key}", item) for key, item in reversed(value.items())]
        elif isinstance(value, list):
            leaves = _list_leaves(value)
            if leaves and isinstance(leaves[0], Mapping):
                stack += [(f"{name}[{i}]", item) for i, item in reversed(list(enumerate(value)))]
            else:
                out[name] = [(f"{name}[{i}]", v) for i, v in enumerate(leaves)]
        else:
            out[name] = [(name, value)]
    return out


def flatten_inputs(inputs: Mapping) -> dict[str, list[int]]:
    """Qualified signal name → its values in Fr, in order."""
    return {name: [input_value(v, label) for label, v in pairs] for name, pairs in signal_inputs(inputs).items()}


def rounded_by_javascript(inputs: Mapping) -> list[str]:
    """The inputs given as unquoted JSON integers beyond 2^53: zktrade uses them exactly, snarkjs rounds them."""
    return [
        label
        for pairs in signal_inputs(inputs).values()
        for label, v in pairs
        if isinstance(v, int) and not isinstance(v, bool) and abs(v) > JS_SAFE_INTEGER
    ]


# A helper module linked to the witness program: it moves every input and witness value
# between the program's shared RW memory and its own memory inside wasm, so Python makes two
# calls in all instead of one per 32-bit word (266,243 calls for sha256: 10.8 s of 12.6 s
# profiled). It uses only the exports every circom 2 program has.
_BULK_WAT = """
(module
  (import "circuit" "getWitness" (func $get_witness (param i32)))
  (import "circuit" "readSharedRWMemory" (func $read (param i32) (result i32)))
  (import "circuit" "writeSharedRWMemory" (func $write (param i32 i32)))
  (import "circuit" "setInputSignal" (func $set_input (param i32 i32 i32)))
  (memory (export "memory") 1)
  ;; witness values 0..count-1 to memory at 0, n32 little-endian words each
  (func (export "witness") (param $count i32) (param $n32 i32)
    (local $i i32) (local $j i32) (local $p i32)
    (block $done (loop $value
      (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
      (call $get_witness (local.get $i))
      (local.set $j (i32.const 0))
      (block $next (loop $word
        (br_if $next (i32.ge_u (local.get $j) (local.get $n32)))
        (i32.store (local.get $p) (call $read (local.get $j)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $word)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $value))))
  ;; count records at 0: hash msb, hash lsb, index (i32 each), then the value's n32 words
  (func (export "set_inputs") (param $count i32) (param $n32 i32)
    (local $i i32) (local $j i32) (local $p i32)
    (block $done (loop $record
      (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
      (local.set $j (i32.const 0))
      (block $next (loop $word
        (br_if $next (i32.ge_u (local.get $j) (local.get $n32)))
        (call $write (local.get $j)
          (i32.load (i32.add (i32.add (local.get $p) (i32.const 12)) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $word)))
      (call $set_input (i32.load (local.get $p)) (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p)))
      (local.set $p (i32.add (local.get $p) (i32.add (i32.const 12) (i32.shl (local.get $n32) (i32.const 2)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $record))))
)
"""
_PAGE = 1 << 16


def _engine() -> wasmtime.Engine:
    """An engine with wasmtime's own on-disk compilation cache: compiling sha256's witness
    program takes ~2.5 s, loading it from the cache ~0.2 s (without a writable cache, no cache)."""
    config = wasmtime.Config()
    try:
        config.cache = True
    except wasmtime.WasmtimeError:
        pass
    return wasmtime.Engine(config)


class _Program:
    """One instantiated witness program (real state: the wasm store and its error buffer)."""

    def __init__(self, wasm: bytes, what: str):
        self.what = what
        self.engine = _engine()
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
            linker.define_instance(self.store, "circuit", instance)
            bulk = linker.instantiate(self.store, wasmtime.Module(self.engine, _BULK_WAT))
        except wasmtime.WasmtimeError as exc:
            raise WitnessError(f"{what}: not a circom 2 witness program ({str(exc).splitlines()[0]})") from None
        self.exports = instance.exports(self.store)
        self.bulk = bulk.exports(self.store)
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

    def _run(self, func, *args: int) -> int:
        try:
            return func(self.store, *(_i32(a) for a in args))
        except (wasmtime.Trap, wasmtime.WasmtimeError, _Abort) as exc:
            reason = _ERRORS.get(self.code, str(exc).splitlines()[0])
            detail = " ".join(m.strip() for m in self.messages if m.strip())
            raise WitnessError(f"{self.what}: {reason}" + (f": {detail}" if detail else "")) from None

    def call(self, name: str, *args: int) -> int:
        try:
            func = self.exports[name]
        except KeyError:
            raise WitnessError(f"{self.what}: the program has no export {name!r}: not a circom 2 witness .wasm") from None
        return self._run(func, *args)

    def read_shared(self) -> int:
        return sum((self.call("readSharedRWMemory", j) & 0xFFFFFFFF) << (32 * j) for j in range(self.n32))

    def _buffer(self, size: int) -> wasmtime.Memory:
        """The helper's memory, grown to hold `size` bytes."""
        memory = self.bulk["memory"]
        missing = -(-size // _PAGE) - memory.size(self.store)
        if missing > 0:
            memory.grow(self.store, missing)
        return memory

    def set_inputs(self, records: Sequence[tuple[int, int, int]]) -> None:
        """setInputSignal(hash msb, hash lsb, index) for each (hash, index, value), in order."""
        n8 = 4 * self.n32
        data = b"".join(
            struct.pack("<III", h >> 32, h & 0xFFFFFFFF, i) + v.to_bytes(n8, "little") for h, i, v in records
        )
        self._buffer(len(data)).write(self.store, data, 0)
        self._run(self.bulk["set_inputs"], len(records), self.n32)

    def witness(self) -> list[int]:
        """Every witness value, wire 0 first."""
        n, n8 = self.call("getWitnessSize"), 4 * self.n32
        memory = self._buffer(n * n8)
        self._run(self.bulk["witness"], n, self.n32)
        data = memory.read(self.store, 0, n * n8)
        return [int.from_bytes(data[k : k + n8], "little") for k in range(0, n * n8, n8)]


def calculate_witness(wasm_path: str | Path, inputs: Mapping) -> list[int]:
    """The full witness (wire 0 first) for `inputs`, a JSON-like mapping as circom's input.json."""
    what = f"witness program {wasm_path}"
    try:
        wasm = Path(wasm_path).read_bytes()
    except OSError as exc:
        raise MalformedInput(f"{what}: cannot read it ({exc.strerror})") from None
    program = _Program(wasm, what)
    program.call("init", 1)
    records = []
    for name, values in flatten_inputs(inputs).items():
        h = fnv1a_64(name)
        size = program.call("getInputSignalSize", h >> 32, h & 0xFFFFFFFF)
        if size <= 0:  # circom answers 0 (or traps) for a name it does not know
            raise WitnessError(f"{what}: the circuit has no input signal {name!r}")
        if len(values) != size:
            raise WitnessError(f"{what}: input {name!r} needs {size} values, got {len(values)}")
        records += [(h, i, v) for i, v in enumerate(values)]
    expected = program.call("getInputSize")
    if len(records) < expected:
        raise WitnessError(f"{what}: only {len(records)} of the circuit's {expected} input values were given")
    program.set_inputs(records)
    return program.witness()
