"""The network MILP built family by family (``define_*``) is the model the single
``_build`` used to make, and every row and column of it is named.

``_reference_build``, ``_reference_co2_floor`` and ``_reference_support_lp`` are frozen
copies of the code before the split (issue #14): the comparison fails as soon as a
``define_*`` function changes a coefficient, a bound, an integrality or a row order.
"""

from dataclasses import replace
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

from eiphub.symbiosis import lp, network
from eiphub.symbiosis.bench_network import synthetic_problem
from eiphub.symbiosis.network import (
    Demand,
    Facility,
    Link,
    NetworkProblem,
    Supply,
    problem_from_matches,
)
from eiphub.symbiosis.tests.test_network import _random_problem, _small

# ---------------------------------------------------------------------------
# frozen reference (verbatim copy of network._build before the split)


def _reference_build(a):
    m = lp.Model()
    n, nf = len(a.links), len(a.fac_fixed)
    x = m.add_cols(n, upper=a.cap)
    ylinks = np.flatnonzero(a.needs_y)
    ycols = m.add_cols(len(ylinks), upper=1.0, integer=True)
    y = np.full(n, -1, np.int64)
    y[ylinks] = ycols
    # a facility is worth opening only if some allowed link uses it
    used = np.zeros(nf, bool)
    used[a.fi[a.fi >= 0]] = True
    z = m.add_cols(nf, upper=used.astype(float), integer=True)
    one = np.ones(n)
    # supply and demand balances
    m.add_rows(len(a.S), a.si, x, one, hi=a.S)
    m.add_rows(len(a.D), a.di, x, a.ratio, lo=a.Dmin, hi=a.D)
    # capacity and minimum flow of active links: x - U y <= 0, x - m y >= 0
    k = len(ylinks)
    r2 = np.repeat(np.arange(k), 2)
    c2 = np.column_stack([x[ylinks], ycols]).ravel()
    m.add_rows(k, r2, c2, np.column_stack([one[:k], -a.cap[ylinks]]).ravel(), hi=0.0)
    has_min = ylinks[a.minf[ylinks] > 0]
    if len(has_min):
        kk = len(has_min)
        m.add_rows(
            kk,
            np.repeat(np.arange(kk), 2),
            np.column_stack([x[has_min], y[has_min]]).ravel(),
            np.column_stack([np.ones(kk), -a.minf[has_min]]).ravel(),
            lo=0.0,
        )
    # facilities: y_l <= z_f and sum x <= K z
    via = np.flatnonzero(a.fi >= 0)
    if len(via):
        kv = len(via)
        m.add_rows(
            kv,
            np.repeat(np.arange(kv), 2),
            np.column_stack([y[via], z[a.fi[via]]]).ravel(),
            np.tile([1.0, -1.0], kv),
            hi=0.0,
        )
        through = np.bincount(a.fi[via], weights=a.cap[via], minlength=nf)
        kcap = np.minimum(a.fac_cap, through)
        rows = np.concatenate([a.fi[via], np.arange(nf)])
        cols = np.concatenate([x[via], z])
        vals = np.concatenate([np.ones(kv), -kcap])
        m.add_rows(nf, rows, cols, vals, hi=0.0)
    return network._Built(model=m, x=x, y=y, z=z, ylinks=ylinks)


def _reference_co2_floor(a, b, co2_at_least):
    co2_vec = network._vectors(a, b)[1]
    every = np.arange(b.model.n_cols)
    b.model.add_rows(1, np.zeros(b.model.n_cols, np.int64), every, co2_vec, lo=co2_at_least)


def _reference_support_lp(a, cx, keep):
    idx = np.flatnonzero(keep)
    m = lp.Model()
    x = m.add_cols(len(idx), cost=cx[idx], upper=a.cap[idx])
    one = np.ones(len(idx))
    m.add_rows(len(a.S), a.si[idx], x, one, hi=a.S)
    m.add_rows(len(a.D), a.di[idx], x, a.ratio[idx], lo=a.Dmin, hi=a.D)
    via = a.fi[idx] >= 0
    if via.any():
        m.add_rows(len(a.fac_cap), a.fi[idx][via], x[via], one[via], hi=a.fac_cap)
    return m


# ---------------------------------------------------------------------------
# problems


def _with_ratios():
    p = _small()
    ratios = [0.5, 2.0, 1.0, 1.25]
    return replace(
        p, links=[replace(lk, yield_ratio=r) for lk, r in zip(p.links, ratios, strict=True)]
    )


def _idle_facility():
    """Facilities exist but no allowed link uses one: no facility rows at all."""
    return NetworkProblem(
        supplies=[Supply("s1", 40.0), Supply("s2", 10.0)],
        demands=[Demand("d1", 30.0, min_quantity=5.0), Demand("d2", 30.0)],
        links=[
            Link("a", "s1", "d1", 500.0, 3.0, 10.0, fixed_cost=100.0),
            Link("b", "s1", "d2", 400.0, min_flow=4.0),
            Link("c", "s2", "d2", 300.0, capacity=8.0),
        ],
        facilities=[Facility("hub", fixed_cost=1e3), Facility("press", capacity=5.0)],
    )


def _nothing_allowed():
    """Every link is excluded (licence, quality): an empty model."""
    return NetworkProblem(
        supplies=[Supply("acid", 10.0, hazardous=True)],
        demands=[Demand("plant", 10.0)],
        links=[
            Link("l1", "acid", "plant", 100.0),
            Link("l2", "acid", "plant", 100.0, compatible=False),
        ],
    )


def _pretreatment():
    """Incompatible links kept through pre-treatment facilities, capped facilities."""
    return NetworkProblem(
        supplies=[Supply("s1", 100.0), Supply("s2", 80.0), Supply("s3", 0.0)],
        demands=[Demand("d1", 70.0, min_quantity=20.0), Demand("d2", 120.0)],
        links=[
            Link("p1", "s1", "d1", 800.0, 2.0, 5.0, compatible=False, facility="wash"),
            Link("p2", "s2", "d1", 700.0, facility="wash", min_flow=15.0, capex=1e4),
            Link("p3", "s1", "d2", 600.0, facility="dry", yield_ratio=0.8),
            Link("p4", "s2", "d2", 650.0, fixed_cost=2e3, co2_per_unit=0.7),
            Link("p5", "s3", "d2", 900.0),
        ],
        facilities=[
            Facility("wash", fixed_cost=5e3, capacity=60.0, co2_per_year=3.0),
            Facility("dry", capex=2e5, capacity=500.0),
        ],
        transport_co2_per_unit_km=0.01,
    )


def _from_matches():
    from eiphub.symbiosis.matching import MatchParams, match, read_listings_csv

    path = Path(__file__).resolve().parents[1] / "data" / "sample_listings.csv"
    listings, _ = read_listings_csv(path)
    matches = match(listings, params=MatchParams(max_matches_per_offer=None))
    hub = {"id": "hub", "fixed_cost_vnd_per_year": 5e7, "capacity": 500.0, "resources": [""]}
    return problem_from_matches(
        listings,
        matches,
        {"fixed_cost_vnd_per_year": 1e6, "min_flow_fraction": 0.1, "facilities": [hub]},
    )


PROBLEMS = {
    "small": _small,
    "yield_ratios": _with_ratios,
    "idle_facility": _idle_facility,
    "nothing_allowed": _nothing_allowed,
    "pretreatment": _pretreatment,
    "random_7": lambda: _random_problem(np.random.default_rng(7)),
    "random_11": lambda: _random_problem(np.random.default_rng(11), 4, 5, 14),
    "random_23": lambda: _random_problem(np.random.default_rng(23), 2, 6, 10),
    "synthetic_300": lambda: synthetic_problem(300, seed=3),
    "synthetic_600": lambda: synthetic_problem(600, seed=1),
    "synthetic_hubs": lambda: synthetic_problem(400, seed=5, n_facilities=4),
    "from_matches": _from_matches,
}
OBJECTIVES = [("benefit", None), ("co2", None), ("weighted", {"benefit": 1.0, "co2": 5e5})]


# ---------------------------------------------------------------------------
# comparison


def _arrays_of(m: lp.Model):
    start, index, value, lo, hi = lp._csr(m)
    cat = lambda blocks, dtype: np.concatenate(blocks) if blocks else np.zeros(0, dtype)  # noqa: E731
    return {
        "n_rows": np.asarray(m.n_rows),
        "n_cols": np.asarray(m.n_cols),
        "start": start,
        "index": index,
        "value": value,
        "row_lower": lo,
        "row_upper": hi,
        "col_lower": cat(m.lower, float),
        "col_upper": cat(m.upper, float),
        "integer": cat(m.integer, bool),
        "cost": cat(m.cost, float),
    }


def _assert_identical(old: lp.Model, new: lp.Model):
    a, b = _arrays_of(old), _arrays_of(new)
    for key in a:
        assert a[key].dtype == b[key].dtype, key
        # exact: same floats bit for bit, same infinities
        np.testing.assert_array_equal(a[key], b[key], err_msg=key, strict=True)


def _assert_named(m: lp.Model):
    for blocks, size, label in (
        (m.row_blocks, m.n_rows, m.row_label),
        (m.col_blocks, m.n_cols, m.col_label),
    ):
        names = [b.name for b in blocks]
        assert len(names) == len(set(names)), names
        # consecutive blocks covering every index exactly once, one key per index
        assert [b.start for b in blocks] == [0] + [b.stop for b in blocks[:-1]]
        assert (blocks[-1].stop if blocks else 0) == size
        assert all(len(b.keys) == len(b) for b in blocks)
        labels = [lab for b in blocks for lab in b.labels()]
        assert len(labels) == size and len(set(labels)) == size
        for i in {0, size // 3, size // 2, size - 1} if size else ():
            assert label(i) == labels[i]
        assert all(lab.split("[", 1)[0] in names and lab.endswith("]") for lab in labels)


def _pieces(a):
    """The whole network and each independent sub-network, as the solver builds them."""
    out = [a]
    for links, sups, dems, facs in network._components(a):
        out.append(network._subset(a, links, sups, dems, facs))
    return out


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_define_functions_build_the_reference_model(name):
    a0 = network._arrays(PROBLEMS[name]())
    compared = 0
    for a in _pieces(a0):
        old, new = _reference_build(a), network._build(a)
        _assert_identical(old.model, new.model)
        for field in ("x", "y", "z", "ylinks"):
            np.testing.assert_array_equal(getattr(old, field), getattr(new, field), strict=True)
        _assert_named(new.model)
        for objective, weights in OBJECTIVES:
            old.model.set_cost(network._objective(a, old, objective, weights))
            new.model.set_cost(network._objective(a, new, objective, weights))
            _assert_identical(old.model, new.model)
        # the epsilon constraint of the CO2 stage and the Pareto front
        target = 0.5 * float(np.clip(a.co2, 0, None) @ a.cap) if len(a.links) else 0.0
        _reference_co2_floor(a, old, target)
        network.define_co2_floor(new.model, a, new, target)
        _assert_identical(old.model, new.model)
        _assert_named(new.model)
        assert new.model.row_label(new.model.n_rows - 1) == "co2_floor[total]"
        compared += 1
    assert compared >= 2 or len(a0.links) == 0


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_heuristic_flow_lp_is_the_reference_lp(name):
    a = network._arrays(PROBLEMS[name]())
    rng = np.random.default_rng(0)
    cx = network._coefficients(a, "benefit", None)[0]
    built = []

    def capture(model, **kw):
        built.append(model)
        return lp.Solution("Infeasible", False, None, None, np.inf, None, 0.0, 0.0)

    keeps = [np.ones(len(a.links), bool), rng.random(len(a.links)) < 0.5, a.fi >= 0]
    with mock.patch.object(network.lp, "solve", capture):
        for keep in keeps:
            assert network._support_lp(a, cx, keep) is None
    assert len(built) == len(keeps)
    for keep, new in zip(keeps, built, strict=True):
        _assert_identical(_reference_support_lp(a, cx, keep), new)
        _assert_named(new)


# ---------------------------------------------------------------------------
# labels by hand


def _row_cols(m: lp.Model, i: int) -> dict[str, float]:
    start, index, value, _lo, _hi = lp._csr(m)
    sl = slice(start[i], start[i + 1])
    return {m.col_label(j): float(v) for j, v in zip(index[sl], value[sl], strict=True)}


def test_labels_of_the_small_network():
    # ash -> cement/brick, sludge -> brick through the hub (min flow 10); sludge -> cement
    # is excluded (no licence)
    a = network._arrays(_small())
    m = network._build(a).model
    assert [b.name for b in m.col_blocks] == ["flow", "link_build", "facility"]
    assert [b.name for b in m.row_blocks] == [
        "supply_balance",
        "demand_balance",
        "link_capacity",
        "link_minimum_flow",
        "facility_links",
        "facility_capacity",
    ]
    assert m.col_labels() == [
        "flow[ash-cement]",
        "flow[ash-brick]",
        "flow[sludge-brick]",
        "link_build[ash-cement]",
        "link_build[ash-brick]",
        "link_build[sludge-brick]",
        "facility[hub]",
    ]
    sup = m.row_block("supply_balance")
    assert (sup.start, sup.stop) == (0, 2)
    assert m.row_label(0) == "supply_balance[ash]"
    assert _row_cols(m, 0) == {"flow[ash-cement]": 1.0, "flow[ash-brick]": 1.0}
    assert _row_cols(m, 1) == {"flow[sludge-brick]": 1.0}
    brick = m.row_block("demand_balance").start + 1
    assert m.row_label(brick) == "demand_balance[brick]"
    assert _row_cols(m, brick) == {"flow[ash-brick]": 1.0, "flow[sludge-brick]": 1.0}
    lo, hi = lp._csr(m)[3:]
    assert (lo[brick], hi[brick]) == (0.0, 60.0)
    mins = m.row_block("link_minimum_flow")
    assert len(mins) == 1 and mins.labels() == ["link_minimum_flow[sludge-brick]"]
    assert _row_cols(m, mins.start) == {
        "flow[sludge-brick]": 1.0,
        "link_build[sludge-brick]": -10.0,
    }
    cap = m.row_block("link_capacity")
    assert m.row_label(cap.start) == "link_capacity[ash-cement]"
    assert _row_cols(m, cap.start) == {"flow[ash-cement]": 1.0, "link_build[ash-cement]": -80.0}
    assert m.row_block("facility_links").labels() == ["facility_links[sludge-brick]"]
    assert m.row_label(m.n_rows - 1) == "facility_capacity[hub]"
    assert _row_cols(m, m.n_rows - 1) == {"flow[sludge-brick]": 1.0, "facility[hub]": -50.0}


def test_sub_network_rows_keep_their_ids():
    # _subset re-indexes supplies and demands: the labels must follow the ids, not positions
    a = network._arrays(_pretreatment())
    parts = network._components(a)
    assert len(parts) >= 1
    links, sups, dems, facs = parts[-1]
    sub = network._subset(a, links, sups, dems, facs)
    m = network._build(sub).model
    assert m.row_block("supply_balance").labels() == [
        f"supply_balance[{a.problem.supplies[k].id}]" for k in sups
    ]
    assert m.col_block("flow").labels() == [f"flow[{a.links[k].id}]" for k in links]


def test_model_block_errors():
    m = lp.Model()
    m.add_rows(2, [0, 1], [0, 0], 1.0, name="balance", labels=["a", "b"])
    with pytest.raises(lp.ModelError) as err:
        m.add_rows(1, [0], [0], 1.0, name="balance", labels=["c"])
    assert err.value.code == "duplicate_block"
    with pytest.raises(lp.ModelError) as err:
        m.add_rows(2, [0, 1], [0, 0], 1.0, name="other", labels=["c"])
    assert err.value.code == "bad_labels" and m.n_rows == 2
    with pytest.raises(lp.ModelError) as err:
        m.row_block("missing")
    assert err.value.code == "unknown_block"
    m.add_rows(1, [0], [0], 1.0)  # unnamed: keyed by position
    assert m.row_labels() == ["balance[a]", "balance[b]", "rows1[0]"]
    with pytest.raises(IndexError):
        m.row_label(3)
