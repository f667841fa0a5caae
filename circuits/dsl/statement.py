"""A statement: typed inputs, one define body, one public order; compiled to R1CS, solved to witnesses.

gnark's frontend/compile.go and its schema walk in one place. The inputs are two dataclasses
(public and private) whose fields are field elements, nested dataclasses (a `Note`, a
`MerklePath`, declared once and reused by every statement) or fixed-length lists of either.
A list's length is given in `sizes` under the field's dotted path without indices
(`"path.siblings"`; one entry serves every element of a list of structs). Inputs are named by
that path: `note.asset`, `path.siblings[3]`, `legs[1].amount`; `witness` takes them as nested
mappings and lists (what `dataclasses.asdict` and a JSON input file give).
"""

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields, is_dataclass
from functools import cached_property
from typing import Any, get_args, get_origin, get_type_hints

from zk.errors import MalformedInput
from zk.field import canonical_fr
from zk.r1cs import R1CS

from .api import Api, HintHook
from .breakdown import breakdown
from .expr import Var


@dataclass(frozen=True)
class InputField:
    """One field of an input dataclass: a field element or a nested dataclass, once or `size` times."""

    name: str
    struct: type | None  # the nested dataclass, or None for a field element
    fields: tuple["InputField", ...]  # the struct's own fields (empty for a field element)
    size: int | None  # a list of this many, or None for one


def input_fields(cls: type, sizes: Mapping[str, int], prefix: str = "", used: set[str] | None = None
                 ) -> tuple[InputField, ...]:
    """The fields of an input dataclass, nested dataclasses walked; `used` collects the sizes read."""
    used = set() if used is None else used
    out = []
    for f in fields(cls):
        # Annotations are types unless the module postpones them (then strings, resolved here).
        path, kind = prefix + f.name, get_type_hints(cls)[f.name] if isinstance(f.type, str) else f.type
        size = sizes.get(path)
        if size is not None:
            used.add(path)
            kind = get_args(kind)[0] if get_origin(kind) is list and get_args(kind) else Var
        elif get_origin(kind) is list:
            raise ValueError(f"input {path} is a list: give its length in sizes ({path!r}: n)")
        struct = kind if is_dataclass(kind) else None
        nested = input_fields(struct, sizes, path + ".", used) if struct else ()
        out.append(InputField(f.name, struct, nested, size))
    return tuple(out)


def allocate(cls: type, layout: tuple[InputField, ...], leaf: Callable[[str], Any], prefix: str = "") -> Any:
    """An instance of cls whose every field element is leaf(its input name)."""
    return cls(**{f.name: _allocate_field(f, prefix + f.name, leaf) for f in layout})


def _allocate_field(f: InputField, path: str, leaf: Callable[[str], Any]) -> Any:
    def one(p: str) -> Any:
        return allocate(f.struct, f.fields, leaf, p + ".") if f.struct else leaf(p)

    return one(path) if f.size is None else [one(f"{path}[{i}]") for i in range(f.size)]


def parse_inputs(layout: tuple[InputField, ...], values: Mapping[str, object], where: str, circuit: str,
                 prefix: str = "") -> dict[str, int]:
    """Nested named inputs (ints or decimal/0x strings) as {input name: canonical Fr}."""
    if not isinstance(values, Mapping):  # an input file is untrusted: it may hold any JSON value
        raise MalformedInput(f"{where} takes an object of named inputs, got {type(values).__name__}")
    names = [f.name for f in layout]
    missing = [n for n in names if n not in values]
    extra = [n for n in values if n not in names]
    if missing or extra:
        raise MalformedInput(f"{where} takes inputs {names}; missing {missing}, unexpected {extra}")
    out: dict[str, int] = {}
    for f in layout:
        path, v = prefix + f.name, values[f.name]
        if f.size is None:
            out.update(_parse_one(f, v, path, circuit))
            continue
        if not isinstance(v, (list, tuple)) or len(v) != f.size:
            kind = f.struct.__name__ if f.struct else "field element"
            raise MalformedInput(f"input {path} of {circuit} must be a list of {f.size} {kind}s")
        for i, x in enumerate(v):
            out.update(_parse_one(f, x, f"{path}[{i}]", circuit))
    return out


def _parse_one(f: InputField, v: object, path: str, circuit: str) -> dict[str, int]:
    if f.struct is not None:
        if not isinstance(v, Mapping):
            raise MalformedInput(f"input {path} of {circuit} is a {f.struct.__name__}: give its fields "
                                 f"{[g.name for g in f.fields]} as an object")
        return parse_inputs(f.fields, v, f"input {path} of {circuit}", circuit, path + ".")
    if isinstance(v, (list, tuple, Mapping)):
        raise MalformedInput(f"input {path} of {circuit} is one field element, not a list")
    return {path: canonical_fr(v, path)}


def leaves(x: Any) -> list[Any]:
    """The field elements of an input value in field order (nested dataclasses and lists walked)."""
    if is_dataclass(x) and not isinstance(x, type):
        return [v for f in fields(x) for v in leaves(getattr(x, f.name))]
    if isinstance(x, (list, tuple)):
        return [v for e in x for v in leaves(e)]
    return [x]


def count_leaves(layout: tuple[InputField, ...]) -> int:
    """Field elements in an input dataclass of this layout."""
    return sum((count_leaves(f.fields) if f.struct else 1) * (f.size or 1) for f in layout)


@dataclass(frozen=True, eq=False)
class Statement:
    """A circuit: typed public/private inputs, one define body, one public order; registry interface."""

    name: str
    description: str
    public: type
    private: type
    define: Callable[[Api, Any, Any], None]
    public_inputs: Callable[[Any], list]
    sizes: Mapping[str, int] = None  # type: ignore[assignment]
    example: Callable[[], tuple[Any, Any]] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "sizes", dict(self.sizes or {}))
        pub, priv = [f.name for f in fields(self.public)], [f.name for f in fields(self.private)]
        if set(pub) & set(priv):
            raise ValueError(f"{self.name}: input names used as both public and private: {set(pub) & set(priv)}")
        unknown = set(self.sizes) - self._layouts[2]
        if unknown:
            raise ValueError(f"{self.name}: sizes given for fields that do not exist: {sorted(unknown)}")

    @cached_property
    def _layouts(self) -> tuple[tuple[InputField, ...], tuple[InputField, ...], frozenset[str]]:
        used: set[str] = set()
        pub = input_fields(self.public, self.sizes, used=used)
        priv = input_fields(self.private, self.sizes, used=used)
        return pub, priv, frozenset(used)

    # -- the registry interface ---------------------------------------------------------------

    @cached_property
    def _compiled(self) -> tuple[R1CS, list[str]]:
        api = Api(self.name, solving=False)
        public_names = self._run(api, {})
        cs = R1CS(
            n_wires=api.n_wires,
            n_public=len(public_names),
            constraints=tuple(api.constraints),
            labels=tuple(api.labels),
            wire_names=tuple(api.wire_names),
        )
        used = {w for con in cs.constraints for part in (con.a, con.b, con.c) for w, _ in part}
        unused = [public_names[i - 1] for i in range(1, cs.n_public + 1) if i not in used]
        if unused:
            raise ValueError(
                f"{self.name}: public inputs {unused} take part in no constraint, so a proof would not "
                "bind them: constrain them in define (or make them private)"
            )
        return cs, public_names

    @property
    def r1cs(self) -> R1CS:
        return self._compiled[0]

    @property
    def public_names(self) -> list[str]:
        return list(self._compiled[1])

    @property
    def n_private_inputs(self) -> int:
        """Private input wires (circom's "private inputs"): nested fields and lists count every element."""
        return count_leaves(self._layouts[1])

    def witness(self, inputs: Mapping[str, object], hint_hook: HintHook | None = None) -> list[int]:
        """The full witness from named inputs (ints or decimal/hex strings; lists and nested mappings).

        Raises Unsatisfied naming the gadget path of the first failing constraint. `hint_hook`
        (tests only) may replace hint outputs, to show that a wrong hint cannot satisfy the circuit."""
        pub, priv, _ = self._layouts
        values = parse_inputs(pub + priv, inputs, f"circuit {self.name}", self.name)
        api = Api(self.name, solving=True, hint_hook=hint_hook)
        self._run(api, values)
        cs = self.r1cs
        if api.n_wires != cs.n_wires or api.n_constraints != cs.n_constraints:
            raise RuntimeError(
                f"{self.name}: define made {api.n_constraints} constraints / {api.n_wires} wires when solving "
                f"but {cs.n_constraints} / {cs.n_wires} when compiling: it must not branch on input values"
            )
        # Every constraint was checked as it was made; checking the compiled system as well catches
        # a define whose constraints (not only their number) depend on the input values.
        cs.check(api.values)
        return api.values

    def witness_for(self, pub: Any, priv: Any, hint_hook: HintHook | None = None) -> list[int]:
        """The witness from the statement's own dataclasses holding ints."""
        return self.witness({**asdict(pub), **asdict(priv)}, hint_hook)

    def example_inputs(self) -> dict:
        if self.example is None:
            return {}
        pub, priv = self.example()
        return {**asdict(pub), **asdict(priv)}

    def breakdown(self) -> list[tuple[str, int]]:
        """Constraints per gadget path prefix (see `breakdown`)."""
        return breakdown(self.r1cs.labels)

    # -- running define -----------------------------------------------------------------------

    def _run(self, api: Api, values: Mapping[str, int]) -> list[str]:
        """Allocate the inputs (public first, in public_inputs order), run define; the public names."""
        names: dict[int, str] = {}

        def leaf(name: str) -> Var:
            v = Var(None, None)
            names[id(v)] = name
            return v

        pub_layout, priv_layout, _ = self._layouts
        pub, priv = allocate(self.public, pub_layout, leaf), allocate(self.private, priv_layout, leaf)
        order = self.public_inputs(pub)
        if sorted(map(id, order)) != sorted(map(id, leaves(pub))):
            raise ValueError(
                f"{self.name}: public_inputs(pub) must list every public input exactly once "
                f"(fields {[f.name for f in fields(self.public)]})"
            )
        for v in [*order, *leaves(priv)]:
            name = names[id(v)]
            wire = api._new_wire(name, values.get(name, 0) if api.solving else None)
            v.lc, v.value = wire.lc, wire.value
        self.define(api, pub, priv)
        return [names[id(v)] for v in order]
