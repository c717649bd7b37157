"""`eiphub import-handlers FILE [--lang vi|en]`: load the authority's published list of
licensed waste handlers (CSV/XLSX) into the exchange directory.  Rows with errors are
skipped and listed (file, row, field, in the chosen language) on stderr; the exit code
is 1 when any row was refused."""

import os

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Import a published list of licensed waste handlers (.csv or .xlsx)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--lang", default="vi", choices=["vi", "en"])

    def handle(self, *args, file, lang, **options):
        from eiphub.exchange.handlers import import_handlers

        if not os.path.isfile(file):
            raise CommandError(_("File not found: %(file)s") % {"file": file})
        with translation.override(lang):
            with open(file, "rb") as fh:
                out = import_handlers(fh, file)
            for issue in out.issues:
                self.stderr.write(str(issue))
            self.stdout.write(
                _("Licensed handlers imported: %(c)d new, %(u)d updated, %(e)d expired (flagged).")
                % {"c": out.created, "u": out.updated, "e": out.expired}
            )
        if out.issues:
            raise SystemExit(1)
