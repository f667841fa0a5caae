"""What every command shares: turning errors into one line, progress, and timing."""

import contextlib
import os
import sys
import time

import click
from rich.console import Console

from circuits.registry import UnknownCircuit
from zk.errors import ZkError

from ..errors import ProtocolError

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

# Errors a user can act on: shown as one line, exit code 1. Anything else is a bug and keeps
# its traceback (set ZKTRADE_DEBUG=1 to see tracebacks for user errors too).
USER_ERRORS: tuple[type[BaseException], ...] = (ZkError, ProtocolError, UnknownCircuit, OSError)


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
