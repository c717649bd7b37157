from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from eiphub.accounts.scoping import enterprises_writable_by, flows_for
from eiphub.web.params import id_param

from .forms import FlowEntryForm
from .services import FlowInputError, save_flow


@login_required
def entry(request):
    """Monthly data entry, one row at a time (bulk data goes through the import page)."""
    enterprises = enterprises_writable_by(request.user).order_by("name_vi")
    if not enterprises.exists():
        raise PermissionDenied(_("You may not enter data for any enterprise."))
    form = FlowEntryForm(request.POST or None, enterprises=enterprises)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        ent = data.pop("enterprise")
        try:
            save_flow(owner=ent, user=request.user, **data)
        except FlowInputError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{request.path}?enterprise={ent.pk}")
    ent_id = id_param(request.GET.get("enterprise")) or (
        id_param(form.data.get("enterprise")) if form.is_bound else None
    )
    recent = (
        flows_for(request.user)
        .filter(enterprise_id=ent_id)
        .order_by("-period", "resource_code")[:30]
        if ent_id
        else []
    )
    if ent_id and not form.is_bound:
        form.initial["enterprise"] = ent_id
    return render(request, "flows/entry.html", {"form": form, "recent": recent})
