"""The `deltaregio` command: Django's management commands with Deltaregio's settings.

Unknown commands print the list of commands and exit with status 2; a setting that cannot be used
(for example an invalid DATABASE_URL) is reported in one plain line, also with status 2.
"""

from __future__ import annotations

import os
import sys

# Commands whose name is a Python keyword live under another module name.
ALIASES = {"import": "importdata"}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deltaregio.settings")
    from deltaregio.config import ConfigError

    try:
        import django

        django.setup()
    except ConfigError as exc:
        print(f"deltaregio: configuration error: {exc}", file=sys.stderr)
        print("Run `deltaregio check-config` to see every setting and its default.", file=sys.stderr)
        return 2

    from django.core.management import execute_from_command_line, get_commands

    prog = "deltaregio"
    args = argv[1:]
    if not args or (args[0] in {"-h", "--help", "help"} and len(args) == 1):
        _print_help(prog, sys.stdout)
        return 0
    command = args[0].replace("-", "_") if not args[0].startswith("-") else args[0]
    command = ALIASES.get(command, command)
    args[0] = command
    if command not in get_commands() and command not in {"help", "version", "--version"}:
        print(f"{prog}: unknown command {command!r}\n", file=sys.stderr)
        _print_help(prog, sys.stderr)
        return 2
    from django.db import DatabaseError

    try:
        execute_from_command_line([prog, *args])
    except DatabaseError as exc:
        print(f"{prog}: database error: {exc}", file=sys.stderr)
        if "no such table" in str(exc) or "does not exist" in str(exc):
            print(f"The database is not up to date: run `{prog} migrate` first.", file=sys.stderr)
        return 1
    return 0


def _print_help(prog: str, stream: object) -> None:
    from django.core.management import get_commands

    reverse_aliases = {module: alias for alias, module in ALIASES.items()}
    ours = sorted(
        reverse_aliases.get(name, name.replace("_", "-"))
        for name, app in get_commands().items()
        if app.startswith("deltaregio")
    )
    others = sorted(name for name, app in get_commands().items() if not app.startswith("deltaregio"))
    lines = [
        f"usage: {prog} COMMAND [options]",
        "",
        "Deltaregio commands:",
        *(f"  {name}" for name in ours),
        "",
        "Django commands (with Deltaregio's settings): " + ", ".join(others),
        "",
        f"`{prog} COMMAND --help` explains one command.",
    ]
    print("\n".join(lines), file=stream)  # type: ignore[call-overload]


if __name__ == "__main__":
    sys.exit(main())
