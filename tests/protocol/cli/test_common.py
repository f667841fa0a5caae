"""CLI help layout (examples keep their lines, values are never split) and the --json / --plot outputs."""

import json

import click
import pytest
from click.testing import CliRunner

from circuits import registry
from protocol.cli import cli
from protocol.cli.common import wrap_command
from zk.formats.snarkjs_json import proof_to_json, public_to_json, vk_to_json, write_json
from zk import groth16  # not `import setup`: pytest 8 would call a module-level setup() as a fixture

WIDTH = 80


def _commands(group: click.Group, path: tuple[str, ...] = ()):
    """Every command under the group, asked as click asks (the top group loads its commands lazily)."""
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, f"`zktrade {' '.join(path + (name,))}` is listed but does not load"
        yield path + (name,), command
        if isinstance(command, click.Group):
            yield from _commands(command, path + (name,))


def _help(*path: str) -> str:
    result = CliRunner().invoke(cli, [*path, "--help"], terminal_width=WIDTH)
    assert result.exit_code == 0, result.output
    return result.output


def _examples(docstring: str) -> list[list[str]]:
    """The words of each `Example: ...` of a docstring (its lines up to the next example or blank)."""
    out: list[list[str]] = []
    for line in (docstring or "").splitlines():
        stripped = line.strip()
        if stripped.startswith("Example:"):
            out.append(stripped.split())
        elif out and stripped and stripped != "\b" and out[-1] is not None:
            out[-1] += stripped.split()
        elif out and not stripped:
            out.append(None)  # a blank line ends the example before it
    return [words for words in out if words is not None]


def _shown_examples(text: str) -> list[tuple[list[str], list[str]]]:
    """Each example in a help text: (its words, its lines), continuation lines (` \\`) included."""
    lines, out = text.splitlines(), []
    for i, line in enumerate(lines):
        if line.strip().startswith("Example:"):
            block = [line]
            while block[-1].endswith(" \\"):
                block.append(lines[i + len(block)])
            out.append((" ".join(part.removesuffix(" \\") for part in block).split(), block))
    return out


ALL_COMMANDS = list(_commands(cli))


def test_the_walk_finds_every_command():
    names = {" ".join(path) for path, _ in ALL_COMMANDS}
    assert {"prove", "verify", "circuit list", "matcher serve", "wallet create", "ceremony verify"} <= names


@pytest.mark.parametrize("path,command", ALL_COMMANDS, ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_every_example_starts_its_own_line_and_reads_back_whole(path, command):
    shown = _shown_examples(_help(*path))
    assert [words for words, _ in shown] == _examples(command.help)
    for _, block in shown:
        assert all(len(line) <= WIDTH for line in block), block


def test_ceremony_verify_keeps_its_two_examples_apart():
    lines = [line.strip() for line in _help("ceremony", "verify").splitlines()]
    starts = [line for line in lines if line.startswith("Example:")]
    assert len(starts) == 2 and all("ceremony verify" in line for line in starts)


def test_a_long_command_breaks_between_options_never_inside_a_value():
    address = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
    digest = "a99d2362403597f487eb228bd27c9843fcdd039944dbf8e9538c83f2935d2155"
    line = f'zktrade withdraw --wallet bob.wallet --to {address} --hash {digest} --note "two words"'
    wrapped = wrap_command(line, 40)
    assert wrapped[0] == "zktrade withdraw --wallet bob.wallet \\"
    assert f"    --to {address} \\" in wrapped and f"    --hash {digest} \\" in wrapped
    assert wrapped[-1] == '    --note "two words"'
    assert wrap_command("zktrade circuit list", 40) == ["zktrade circuit list"]


@pytest.fixture(scope="module")
def proof_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("verify-json")
    c = registry.get("cubic")
    pk = groth16.setup(c.r1cs, seed=3)
    witness = c.witness({"x": 3})
    write_json(d / "vk.json", vk_to_json(pk.vk))
    write_json(d / "proof.json", proof_to_json(groth16.prove(pk, c.r1cs, witness)))
    write_json(d / "public.json", public_to_json(c.r1cs.public_inputs(witness)))
    write_json(d / "wrong.json", public_to_json([36]))
    return d


@pytest.mark.parametrize("public,valid", [("public.json", True), ("wrong.json", False)])
def test_verify_json_answers_valid_or_not_with_the_same_exit_code(proof_files, public, valid):
    d = proof_files
    result = CliRunner().invoke(cli, ["verify", "--vk", str(d / "vk.json"), "--proof", str(d / "proof.json"),
                                      "--public", str(d / public), "--json"])
    assert result.exit_code == (0 if valid else 1)
    out = json.loads(result.stdout)
    assert out["valid"] is valid and out["public"] == (["35"] if valid else ["36"])


def test_circuit_info_json_has_the_tables_figures():
    result = CliRunner().invoke(cli, ["circuit", "info", "leg", "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    c = registry.get("leg")
    assert (info["constraints"], info["wires"], info["public"]) == (c.r1cs.n_constraints, c.r1cs.n_wires, c.r1cs.n_public)
    assert info["public_inputs"] == list(c.public_names)
    assert info["public_inputs"][0] == "root" and info["r1cs_digest"] == c.r1cs.digest()
    assert [(row["gadget"], row["constraints"]) for row in info["breakdown"]] == list(c.breakdown())


def test_circuit_info_plot_writes_a_png(tmp_path):
    result = CliRunner().invoke(cli, ["circuit", "info", "merkle4", "--plot", str(tmp_path / "m.png")])
    assert result.exit_code == 0, result.output
    data = (tmp_path / "m.png").read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000
    assert "wrote" in result.output


def test_the_digest_line_is_not_wrapped_on_a_narrow_terminal():
    result = CliRunner().invoke(cli, ["circuit", "info", "cubic"], terminal_width=50)
    assert any(line.strip().startswith("R1CS digest") and len(line.split()[-1]) == 64
               for line in result.output.splitlines())
