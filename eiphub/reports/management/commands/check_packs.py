"""`eiphub check-packs [FILE ...]`: validate criteria packs against the schema.

Without arguments, checks every installed pack (eiphub/indicators/packs/*.yaml)
and that their ids are unique; with files, checks those files.  A malformed
pack stops the command with a non-zero exit and a message naming the file,
the criterion and the field.  Without arguments it also checks the monitoring limits packs
(eiphub/core/data/monitoring/*.yaml: regulations, columns, coefficients, averaging rules) and the
legal-basis list, and the green-finance eligibility packs (eiphub/core/data/green_finance/*.yaml).
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from eiphub.indicators.packs import load_all_packs, load_pack
from eiphub.indicators.schema import PackError


class Command(BaseCommand):
    help = "Validate criteria packs (all installed packs, or the given YAML files)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="pack files to check (default: installed)")

    def handle(self, *args, files, **options):
        try:
            packs = [load_pack(f) for f in files] if files else list(load_all_packs().values())
        except PackError as exc:
            raise CommandError(_("Invalid criteria pack: %(error)s") % {"error": exc})
        for pack in packs:
            unverified = sum(1 for c in pack.criteria if c.verify)
            line = _("%(id)s %(version)s: %(count)d criteria") % {
                "id": pack.id,
                "version": pack.version,
                "count": len(pack.criteria),
            }
            if unverified:
                line += _(" (%(n)d to verify)") % {"n": unverified}
            if pack.status == "repealed":
                line += _(" [repealed]")
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(_("%(n)d pack(s) valid") % {"n": len(packs)}))
        if not files:
            n = len(self._monitoring())
            self.stdout.write(
                self.style.SUCCESS(_("%(n)d monitoring limits pack(s) valid") % {"n": n})
            )
            n = len(self._green_finance())
            self.stdout.write(self.style.SUCCESS(_("%(n)d green-finance pack(s) valid") % {"n": n}))

    def _green_finance(self) -> list:
        from eiphub.core import green_finance as G

        try:
            gpacks = list(G.load_all_packs().values())
        except G.GreenFinanceError as exc:
            raise CommandError(_("Invalid green-finance pack: %(error)s") % {"error": exc})
        for p in gpacks:
            line = _("%(id)s %(version)s: %(count)d criteria") % {
                "id": p.id,
                "version": p.version,
                "count": len(p.criteria),
            }
            if p.unverified:
                line += _(" (%(n)d to verify)") % {"n": p.unverified}
            self.stdout.write(line)
        return gpacks

    def _monitoring(self) -> list:
        from eiphub.core import monitoring as M

        try:
            mpacks = list(M.load_all_packs().values())
            M.legal_basis.cache_clear()
            provisions = M.legal_basis()
        except M.MonitoringError as exc:
            raise CommandError(_("Invalid monitoring pack: %(error)s") % {"error": exc})
        for p in mpacks:
            line = _("%(id)s %(document)s: %(count)d parameters") % {
                "id": p.id,
                "document": p.document,
                "count": len(p.parameters),
            }
            if p.unverified:
                line += _(" (%(n)d to verify)") % {"n": p.unverified}
            if p.status == "superseded":
                line += _(" [superseded]")
            self.stdout.write(line)
        self.stdout.write(
            _("legal basis: %(n)d provisions (%(v)d to verify)")
            % {"n": len(provisions), "v": sum(1 for x in provisions if x.get("verify"))}
        )
        return mpacks
