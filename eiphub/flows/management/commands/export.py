"""`eiphub export`: export flows, parks or enterprises (or an empty template) to a file."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from eiphub.flows.exporter import ExportError, export, export_filename, template
from eiphub.flows.importer import OPERATOR


class Command(BaseCommand):
    help = (
        "Export what the user may read as .xlsx or .csv, e.g. "
        "`eiphub export --what flows --park K1 --year 2024 --format xlsx`; "
        "`--what template --kind flows` writes an empty import template."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--what", choices=["flows", "parks", "enterprises", "template"], default="flows"
        )
        parser.add_argument("--kind", choices=["flows", "parks", "enterprises"], default="flows",
                            help="template kind (with --what template)")  # fmt: skip
        parser.add_argument("--park", help="park code")
        parser.add_argument("--year", type=int)
        parser.add_argument("--format", dest="fmt", choices=["xlsx", "csv"], default="xlsx")
        parser.add_argument("--user", help="export with this user's scope (default: operator)")
        parser.add_argument("--lang", choices=["vi", "en"], default="vi")
        parser.add_argument("--out", help="output file (default: a name from the options)")

    def handle(self, *args, what, kind, park, year, fmt, user, lang, out, **kw):
        if user:
            try:
                user = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"unknown user {user!r}")
        else:
            user = OPERATOR
        try:
            if what == "template":
                data = template(kind, fmt, lang)
                out = out or export_filename("template", kind, None, fmt, lang)
            else:
                data = export(what, user, park=park, year=year, fmt=fmt, lang=lang)
                out = out or export_filename(what, park, year, fmt, lang)
        except ExportError as exc:
            raise CommandError(str(exc))
        with open(out, "wb") as fh:
            fh.write(data)
        self.stdout.write(self.style.SUCCESS(f"Wrote {out} ({len(data):,} bytes)."))
