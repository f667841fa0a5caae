"""What every command shares: turning errors into one line, progress, timing, help layout."""

import contextlib
import os
import shlex
import sys
import time

import click

from zk.errors import UserError


class _LazyConsole:
    """A rich Console made on first use: importing rich costs ~30 ms of every command's start-up,
    and `zktrade verify` prints one line without it."""

    def __init__(self, **options) -> None:
        self._options = options
        self._console = None

    def __getattr__(self, name: str):
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return getattr(self._console, name)


console = _LazyConsole(highlight=False)
err_console = _LazyConsole(stderr=True, highlight=False)

# Errors a user can act on: shown as one line, exit code 1. Anything else is a bug and keeps
# its traceback (set ZKTRADE_DEBUG=1 to see tracebacks for user errors too).
USER_ERRORS: tuple[type[BaseException], ...] = (UserError, OSError)


class ProofRejected(UserError):
    """A proof that does not verify: the answer is printed as every error is, with exit 1."""

    def __init__(self) -> None:
        super().__init__("INVALID: the pairing check failed (wrong proof, key or public inputs)")


def run_cli(group: click.Group) -> int:
    try:
        group.main(standalone_mode=False)
    except click.exceptions.Abort:
        err_console.print("aborted")
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except USER_ERRORS as exc:
        if os.environ.get("ZKTRADE_DEBUG"):
            raise
        err_console.print(f"[bold red]error:[/] {exc}", soft_wrap=True)
        return 1
    return 0


@contextlib.contextmanager
def step(label: str, quiet: bool = False):
    """Show a spinner while the block runs, then the label with its wall time."""
    start = time.perf_counter()
    result: dict = {}
    if quiet or not sys.stderr.isatty():
        yield result
    else:
        with err_console.status(label + " …"):
            yield result
    elapsed = time.perf_counter() - start
    result["seconds"] = elapsed
    if not quiet:
        err_console.print(f"  {label:<44} [dim]{elapsed:8.2f} s[/]")


def fast_backend_warmup() -> None:
    """Compile the fast kernels once, telling the user why the first run is slower."""
    from zk.backends import get_backend

    backend = get_backend()
    warmup = getattr(backend, "warmup", None)
    if warmup is None:
        return
    # Cached kernels load on first use instead, only those the command runs.
    if not getattr(backend, "is_compiled_cache_present", lambda: True)():
        with step("compiling fast kernels (first run only)"):
            warmup()


# ---------------------------------------------------------------- help texts

EXAMPLE = "Example"
CONTINUATION = "    "


def _command_units(command: str) -> list[str]:
    """The command's words, an option kept with its value, quoted strings whole."""
    try:
        words = shlex.split(command, posix=False)
    except ValueError:  # an unbalanced quote: fall back to plain words
        words = command.split()
    units: list[str] = []
    for word in words:
        if units and units[-1].startswith("-") and " " not in units[-1] and not word.startswith("-"):
            units[-1] += " " + word
        else:
            units.append(word)
    return units


def wrap_command(line: str, width: int) -> list[str]:
    """`line` (a shell command) in lines of at most `width` where it can, joined by ` \\`.

    Breaks fall only between words, before an option and its value, never inside a word or a
    quoted string: a long hex value or address stays whole, and the lines paste into a shell.
    """
    lines: list[str] = []
    current = ""
    for unit in _command_units(line):
        candidate = f"{current} {unit}" if current else unit
        if current and len(candidate) + 2 > width:
            lines.append(current + " \\")
            current = CONTINUATION + unit
        else:
            current = candidate
    return lines + [current]


def _examples_kept(text: str, width: int) -> str:
    """Paragraphs of `Example: ...` lines marked for click not to rewrap (\\b), one example a line."""
    out = []
    for paragraph in text.split("\n\n"):
        lines = [line for line in paragraph.splitlines() if line.strip() != "\b"]
        if not lines or not lines[0].startswith(EXAMPLE + ":"):  # "Example (...):" blocks are laid out by hand
            out.append(paragraph)
            continue
        examples: list[str] = []
        for line in lines:  # a line that is not a new example continues the one before
            if line.startswith(EXAMPLE) or not examples:
                examples.append(line.strip())
            else:
                examples[-1] += " " + line.strip()
        out.append("\n".join(["\b"] + [part for ex in examples for part in wrap_command(ex, width)]))
    return "\n\n".join(out)


class HelpFormatter(click.HelpFormatter):
    """click's, except that examples keep their lines (click joins a paragraph into one)."""

    def write_text(self, text: str) -> None:
        super().write_text(_examples_kept(text, self.width - self.current_indent))


class Context(click.Context):
    formatter_class = HelpFormatter


def use_help_formatter(command: click.Command) -> None:
    """Lay out the help of `command` and every subcommand with HelpFormatter."""
    command.context_class = Context
    for sub in getattr(command, "commands", {}).values():
        use_help_formatter(sub)
