"""The `askesos` command: Django's management commands plus setup, demo and bench."""

import os
import signal
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "askesos.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["askesos", *sys.argv[1:]])
    except KeyboardInterrupt as stop:
        # Ctrl-C, or SIGTERM/SIGHUP (askesos.embedded.Terminated): exit as the signal
        # would have, after `atexit` has stopped the embedded servers, without a traceback.
        sys.exit(128 + getattr(stop, "signum", signal.SIGINT))


if __name__ == "__main__":
    main()
