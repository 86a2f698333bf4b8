"""The ``billing-center`` command: a thin front over Django's management commands."""

from __future__ import annotations

import os
import sys

COMMANDS = {
    "serve": "Run the production server (granian) and the delivery worker.",
    "migrate": "Create or update the database schema.",
    "createoperator": "Create a back-office operator (staff) account.",
    "demo": "Load the demo account and data (idempotent); --contracts N for scale.",
    "worker": "Run the delivery worker: sends queued emails/SMS and retries failures.",
    "check": "Check the configuration (add --deploy for production checks).",
    "manage": "Run any Django management command, e.g. 'billing-center manage makemigrations'.",
}


def usage() -> str:
    lines = ["usage: billing-center <command> [options]", "", "commands:"]
    lines += [f"  {name:<15} {text}" for name, text in COMMANDS.items()]
    lines += ["", "Run 'billing-center <command> --help' for a command's options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(usage())
        return 0
    command = args[0]
    if command not in COMMANDS:
        print(f"billing-center: unknown command {command!r}\n\n{usage()}", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "billing_center.settings")
    from django.core.management import execute_from_command_line

    if command == "manage":
        execute_from_command_line(["billing-center", *args[1:]])
    else:
        execute_from_command_line(["billing-center", command, *args[1:]])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
