"""CTNH and EWC codes on listings: only codes the catalogue cites are accepted as CTNH codes."""

from eiphub.core.catalogue import default_catalogue
from eiphub.core.wastecodes import check_ctnh, check_ewc, normalise, resources_for_code


def test_normalise_accepts_spaced_and_compact_codes():
    assert normalise("170203") == "17 02 03"
    assert normalise(" 13 02 05 * ") == "13 02 05*"
    assert normalise("17 02") is None
    assert normalise("ab cd ef") is None


def test_ctnh_code_of_used_oil_gives_its_ewc_cross_reference():
    cat = default_catalogue()
    out = check_ctnh(cat, "17 02 03", "waste.hazardous.used_oil")
    assert (out.error, out.code, out.resource, out.ewc) == (
        "",
        "17 02 03",
        "waste.hazardous.used_oil",
        "13 02 05*",
    )


def test_uncited_or_wrong_ctnh_codes_are_refused():
    cat = default_catalogue()
    assert check_ctnh(cat, "99 99 99").error == "unknown"  # not invented
    assert check_ctnh(cat, "1702").error == "format"
    assert check_ctnh(cat, "13 02 05*").error == "format"  # an EWC code, not CTNH
    bad = check_ctnh(cat, "17 02 03", "waste.hazardous.batteries")
    assert bad.error == "mismatch" and bad.params["resource"] == "waste.hazardous.used_oil"


def test_ewc_format_and_code_search():
    cat = default_catalogue()
    assert check_ewc(cat, "10 02 02").resource == "waste.slag.steel"
    assert check_ewc(cat, "10-02").error == "format"
    assert "waste.slag.steel" in resources_for_code(cat, "100202")
    assert resources_for_code(cat, "17 02 03") == {"waste.hazardous.used_oil"}
    assert resources_for_code(cat, "13 02 05") == {"waste.hazardous.used_oil"}
