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
        parser.add_argument("file", nargs="?")
        parser.add_argument("--undo", type=int, metavar="BATCH", help="undo an import batch")
        parser.add_argument(
            "--user", help="import with this user's permissions (default: operator, full scope)"
        )
        parser.add_argument("--kind", choices=["flows", "parks", "enterprises"])
        parser.add_argument("--lang", choices=["vi", "en"], default="vi")
        parser.add_argument("--every", type=int, default=10000, help="report progress every N rows")
        parser.add_argument(
            "--replace-months",
            action="store_true",
            help="also delete the other records of every enterprise-month in the file "
            "(default: a row replaces only the record of the same enterprise, month, resource "
            "and direction)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would change; write nothing"
        )

    def handle(self, *args, file, user, kind, lang, every, replace_months, dry_run, undo, **kw):
        if undo:
            from eiphub.flows.batches import UndoError, undo_batch
            from eiphub.flows.models import ImportBatch

            try:
                batch = undo_batch(undo)
            except ImportBatch.DoesNotExist:
                raise CommandError(f"no import batch {undo}")
            except UndoError:
                raise CommandError(f"batch {undo} was not applied; nothing to undo")
            self.stdout.write(self.style.SUCCESS(f"Batch {batch.pk} undone."))
            return
        if not file:
            raise CommandError("give a FILE to import (or --undo BATCH)")
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
                fh, os.path.basename(file), user, kind=kind, progress=progress, lang=lang,
                replace_months=replace_months, dry_run=dry_run,
            )  # fmt: skip
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
        counts = (
            f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged, "
            f"{result.replaced} other records of the months deleted, {result.warnings} warnings"
        )
        if dry_run:
            self.stdout.write(f"Dry run, nothing written: {result.rows} rows ({kinds}): {counts}.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.rows} rows ({kinds}): {counts} (batch {result.batch_id}; "
                f"undo with `eiphub import --undo {result.batch_id}`)."
            )
        )
