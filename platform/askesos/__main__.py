"""The `askesos` command: Django's management commands plus setup, demo and bench."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "askesos.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["askesos", *sys.argv[1:]])


if __name__ == "__main__":
    main()
