"""The `eiphub` console command: one entry point for users and operators.

Every sub-command is a Django management command (`eiphub demo` runs
`manage.py demo`), so the same code serves the CLI, tests and batch jobs.
Commands that need no database (match, optimise, water-target, check-packs)
still go through Django for one uniform interface; they do not touch the DB.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eiphub.settings")
    from django.core.management import execute_from_command_line

    argv[0] = "eiphub"
    if len(argv) == 1:
        argv.append("help")
    elif not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")  # eiphub water-target -> water_target
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
