from django import template

from eiphub.exchange.services import quantity_band

from .. import phrases

register = template.Library()


@register.filter
def reason_text(r):
    return phrases.reason(r)


@register.filter
def component_label(code):
    return phrases.component(code)


@register.filter
def stage_label(code):
    return phrases.stage(code)


@register.filter
def pillar_label(code):
    return phrases.pillar(code)


@register.filter
def region_label(name):
    return phrases.region(name)


@register.filter
def group_label(key):
    return phrases.group_label(key)


@register.filter
def money_approx(value):
    return phrases.money(value)


@register.filter
def band(quantity, unit):
    return quantity_band(quantity, unit, "year")


@register.filter
def get(d, key):
    try:
        return d.get(key)
    except AttributeError:
        return None


@register.filter
def approx(value):
    return phrases.approx(value)


@register.filter
def pathway_name(pid):
    from django.utils.translation import get_language

    from eiphub.symbiosis.pathways import default_pathways

    ps = default_pathways()
    return ps[pid].name(get_language() or "vi") if pid in ps.by_id else pid
