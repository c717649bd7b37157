"""`eiphub import FILE`: import parks, enterprises or monthly flows from .xlsx or .csv."""

import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from eiphub.flows.importer import OPERATOR, import_file


class Command(BaseCommand):
    help = (
        "Import an .xlsx or .csv file (parks, enterprises, monthly flows). The whole file is "
        "validated first; a file with any error writes nothing and the command exits with 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--user", help="import with this user's permissions (default: operator, full scope)"
        )
        parser.add_argument("--kind", choices=["flows", "parks", "enterprises"])
        parser.add_argument("--lang", choices=["vi", "en"], default="vi")
        parser.add_argument("--every", type=int, default=10000, help="report progress every N rows")

    def handle(self, *args, file, user, kind, lang, every, **kw):
        if user:
            try:
                user = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"unknown user {user!r}")
        else:
            user = OPERATOR
        last = {"validate": 0, "write": 0}

        def progress(stage, done, total):
            if done - last[stage] >= every or (done == total and done > last[stage]):
                last[stage] = done
                self.stdout.write(f"{stage}: {done:,}/{total:,} rows")

        try:
            fh = open(file, "rb")
        except OSError as exc:
            raise CommandError(str(exc))
        with fh, translation.override(lang):
            result = import_file(
                fh, os.path.basename(file), user, kind=kind, progress=progress, lang=lang
            )
            if not result.ok:
                for err in result.errors:
                    self.stderr.write(str(err))
                if result.truncated:
                    self.stderr.write(
                        f"... {result.error_count - len(result.errors)} more errors not shown"
                    )
                raise CommandError(
                    f"{result.error_count} error(s) in {result.rows} rows; nothing was imported.",
                    returncode=1,
                )
        kinds = ", ".join(f"{k}: {n}" for k, n in result.rows_by_kind.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.rows} rows ({kinds}): {result.created} created, "
                f"{result.updated} updated, {result.replaced} flow records replaced "
                f"(batch {result.batch_id})."
            )
        )
