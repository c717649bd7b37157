import datetime as dt

from eiphub.registry.views import month_runs


def test_consecutive_missing_months_are_joined():
    months = [dt.date(2023, m, 1) for m in (1, 2, 3, 6, 11, 12)] + [dt.date(2024, 1, 1)]
    assert month_runs(months) == "01/2023–03/2023, 06/2023, 11/2023–01/2024"
    assert month_runs([]) == ""
