"""The `askesos` command: Django's management commands plus setup, demo and bench."""

import os
import signal
import sys


def command_line(argv: list[str]) -> list[str]:
    """Operators type `askesos run-job`; Django names the command `run_job`. Both work."""
    argv = list(argv)
    index = 2 if len(argv) > 2 and argv[1] == "help" else 1
    if len(argv) > index and not argv[index].startswith("-"):
        argv[index] = argv[index].replace("-", "_")
    return argv


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "askesos.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(command_line(["askesos", *sys.argv[1:]]))
    except KeyboardInterrupt as stop:
        # Ctrl-C, or SIGTERM/SIGHUP (askesos.embedded.Terminated): exit as the signal
        # would have, after `atexit` has stopped the embedded servers, without a traceback.
        sys.exit(128 + getattr(stop, "signum", signal.SIGINT))


if __name__ == "__main__":
    main()
