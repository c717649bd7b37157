"""Thin, vectorised bridge to HiGHS shared by the network, water and heat models.

Models are assembled the PyPSA/linopy way: each constraint family is a block of
coordinate triplets (row, column, coefficient) built with numpy, the blocks are
stacked into one row-wise (CSR) matrix and handed to HiGHS with ``passModel``.
No Python loop runs over matrix entries.

Every block of columns and rows has a name and one key per column or row, so a row
or column can be named in explanations: ``add_rows(..., name="supply_balance",
labels=supply_ids)`` makes row ``i`` of the block ``"supply_balance[<its id>]"``
(:meth:`Model.row_label`, :meth:`Model.col_label`, :meth:`Model.row_block`).
Blocks added without a name are called ``rows<k>`` / ``cols<k>`` and keyed by position.
"""

from __future__ import annotations

import ctypes
import os
import sys
import time
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

import highspy
import numpy as np

from eiphub.core.errors import CodedError

INF = highspy.kHighsInf


def _flush_c_stdout() -> None:
    try:
        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError):  # pragma: no cover - no libc symbol table
        pass


def new_highs() -> highspy.Highs:
    """A HiGHS object that writes nothing on stdout (the one place creating them).

    HiGHS prints its banner from the C++ constructor, before any option can be set, so the
    process's file descriptor 1 points at stderr while the object is built; then
    ``output_flag`` and ``log_to_console`` are switched off before any solve.  Commands
    with ``--format json`` thus write only JSON on stdout."""
    sys.stdout.flush()
    _flush_c_stdout()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("log_to_console", False)
        _flush_c_stdout()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    return h


class SolverError(CodedError, RuntimeError):
    """A solver failure.  ``code`` is one of: infeasible, unbounded, solver_failed."""


class ModelError(CodedError, ValueError):
    """A model assembled wrongly.  ``code``: duplicate_block, bad_labels, unknown_block."""


@dataclass(frozen=True, eq=False)
class Block:
    """A named block of consecutive rows (or columns) ``start .. stop - 1``.

    ``keys`` holds one key per row (column); the label of row ``i`` is
    ``"name[key]"``.  Labels are composed on demand, so naming costs no string work
    while a model is built."""

    name: str
    start: int
    stop: int
    keys: Sequence

    def __len__(self) -> int:
        return self.stop - self.start

    @property
    def indices(self) -> np.ndarray:
        return np.arange(self.start, self.stop)

    def label(self, i: int) -> str:
        """Label of the model's row (column) ``i``, which must lie in this block."""
        if not self.start <= i < self.stop:
            raise IndexError(i)
        return f"{self.name}[{self.keys[i - self.start]}]"

    def labels(self) -> list[str]:
        return [f"{self.name}[{k}]" for k in self.keys]


class KeysAt(Sequence):
    """``keys[index[i]]`` without copying: the keys of a block over a subset of items
    (e.g. the links that have a build variable), so naming a block costs no gather."""

    __slots__ = ("keys", "index")

    def __init__(self, keys: Sequence, index: np.ndarray):
        self.keys, self.index = keys, index

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self.keys[k] for k in self.index[i]]
        return self.keys[self.index[i]]


def _new_block(blocks: list, kind: str, name: str | None, start: int, n: int, labels) -> None:
    name = f"{kind}{len(blocks)}" if name is None else name
    if any(b.name == name for b in blocks):
        raise ModelError("duplicate_block", f"{kind} block {name!r} already exists", name=name)
    keys = range(n) if labels is None else labels
    if len(keys) != n:
        raise ModelError(
            "bad_labels",
            f"{kind} block {name!r}: {len(keys)} labels for {n} {kind}",
            name=name,
            labels=len(keys),
            n=n,
        )
    blocks.append(Block(name, start, start + n, keys))


def _find(blocks: list, kind: str, name: str) -> Block:
    for b in blocks:
        if b.name == name:
            return b
    raise ModelError("unknown_block", f"no {kind} block {name!r}", name=name)


def _label(blocks: list, starts: list, i: int, size: int) -> str:
    if not 0 <= i < size:
        raise IndexError(i)
    # empty blocks share their start with the next one: bisect picks the last, non-empty
    return blocks[bisect_right(starts, i) - 1].label(i)


@dataclass
class Model:
    """A linear (mixed-integer) model built in named blocks of columns and rows."""

    n_cols: int = 0
    cost: list = field(default_factory=list)
    lower: list = field(default_factory=list)
    upper: list = field(default_factory=list)
    integer: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # blocks of (r, c, v, lo, hi)
    n_rows: int = 0
    row_blocks: list[Block] = field(default_factory=list)
    col_blocks: list[Block] = field(default_factory=list)

    def add_cols(
        self,
        n: int,
        cost=0.0,
        lower=0.0,
        upper=INF,
        integer=False,
        *,
        name: str | None = None,
        labels: Sequence | None = None,
    ) -> np.ndarray:
        """Add ``n`` columns named ``name`` (one key per column in ``labels``); return
        their indices."""
        _new_block(self.col_blocks, "cols", name, self.n_cols, n, labels)
        idx = np.arange(self.n_cols, self.n_cols + n)
        self.n_cols += n
        self.cost.append(np.broadcast_to(np.asarray(cost, float), (n,)))
        self.lower.append(np.broadcast_to(np.asarray(lower, float), (n,)))
        self.upper.append(np.broadcast_to(np.asarray(upper, float), (n,)))
        self.integer.append(np.full(n, bool(integer)))
        return idx

    def add_rows(
        self,
        n: int,
        r,
        c,
        v,
        lo=-INF,
        hi=INF,
        *,
        name: str | None = None,
        labels: Sequence | None = None,
    ) -> np.ndarray:
        """Add ``n`` rows given triplets with local row numbers ``r`` in [0, n), as the
        block ``name`` with one key per row in ``labels``."""
        _new_block(self.row_blocks, "rows", name, self.n_rows, n, labels)
        r = np.asarray(r, dtype=np.int64)
        idx = np.arange(self.n_rows, self.n_rows + n)
        self.rows.append(
            (
                r + self.n_rows,
                np.asarray(c, dtype=np.int64),
                np.broadcast_to(np.asarray(v, float), r.shape),
                np.broadcast_to(np.asarray(lo, float), (n,)),
                np.broadcast_to(np.asarray(hi, float), (n,)),
            )
        )
        self.n_rows += n
        return idx

    def set_cost(self, cost: np.ndarray) -> None:
        """Replace the whole objective vector."""
        self.cost = [np.asarray(cost, float)]

    def row_block(self, name: str) -> Block:
        return _find(self.row_blocks, "rows", name)

    def col_block(self, name: str) -> Block:
        return _find(self.col_blocks, "cols", name)

    def row_label(self, i: int) -> str:
        """``"family[key]"`` of row ``i``, e.g. ``"supply_balance[S1]"``."""
        return _label(self.row_blocks, [b.start for b in self.row_blocks], int(i), self.n_rows)

    def col_label(self, j: int) -> str:
        """``"family[key]"`` of column ``j``, e.g. ``"flow[S1->D2]"``."""
        return _label(self.col_blocks, [b.start for b in self.col_blocks], int(j), self.n_cols)

    def row_labels(self) -> list[str]:
        return [lab for b in self.row_blocks for lab in b.labels()]

    def col_labels(self) -> list[str]:
        return [lab for b in self.col_blocks for lab in b.labels()]


@dataclass
class Solution:
    status: str
    optimal: bool
    x: np.ndarray | None
    objective: float | None
    gap: float
    bound: float | None
    build_s: float
    solve_s: float
    row_dual: np.ndarray | None = None


def _csr(model: Model):
    if model.rows:
        r = np.concatenate([b[0] for b in model.rows])
        c = np.concatenate([b[1] for b in model.rows])
        v = np.concatenate([b[2] for b in model.rows])
        lo = np.concatenate([b[3] for b in model.rows])
        hi = np.concatenate([b[4] for b in model.rows])
    else:
        r = c = np.zeros(0, np.int64)
        v = lo = hi = np.zeros(0)
    keep = v != 0.0
    r, c, v = r[keep], c[keep], v[keep]
    order = np.lexsort((c, r))
    r, c, v = r[order], c[order], v[order]
    start = np.zeros(model.n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(r, minlength=model.n_rows), out=start[1:])
    return start, c, v, lo, hi


def solve(
    model: Model,
    maximise: bool = False,
    mip_gap: float = 1e-4,
    time_limit: float | None = None,
    threads: int | None = None,
    start: np.ndarray | None = None,
    relax: bool = False,
    options: dict | None = None,
) -> Solution:
    """Pass ``model`` to HiGHS silently and solve it.

    ``start`` is an optional feasible point (all columns) used as a MIP start;
    ``relax`` drops integrality (LP relaxation); ``options`` are extra HiGHS options
    (name -> value).
    """
    t0 = time.perf_counter()
    a_start, index, value, row_lo, row_hi = _csr(model)
    integer = np.concatenate(model.integer) if model.integer else np.zeros(0, bool)
    lp = highspy.HighsLp()
    lp.num_col_ = model.n_cols
    lp.num_row_ = model.n_rows
    lp.col_cost_ = np.concatenate(model.cost) if model.cost else np.zeros(0)
    lp.col_lower_ = np.concatenate(model.lower) if model.lower else np.zeros(0)
    lp.col_upper_ = np.concatenate(model.upper) if model.upper else np.zeros(0)
    lp.row_lower_ = row_lo
    lp.row_upper_ = row_hi
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_ = model.n_cols
    lp.a_matrix_.num_row_ = model.n_rows
    lp.a_matrix_.start_ = a_start
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    lp.sense_ = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
    is_mip = bool(integer.any()) and not relax
    h = new_highs()
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    for name, value in (options or {}).items():
        h.setOptionValue(name, value)
    h.passModel(lp)
    if is_mip:
        cols = np.flatnonzero(integer).astype(np.int32)
        h.changeColsIntegrality(len(cols), cols, np.ones(len(cols), np.uint8))
        if start is not None:
            user = highspy.HighsSolution()
            user.col_value = np.asarray(start, float)
            user.value_valid = True
            h.setSolution(user)
    t1 = time.perf_counter()
    h.run()
    t2 = time.perf_counter()
    status = h.getModelStatus()
    name = h.modelStatusToString(status)
    info = h.getInfo()
    has_x = info.primal_solution_status == 2  # kSolutionStatusFeasible
    x = np.asarray(h.getSolution().col_value) if has_x else None
    dual = None
    if has_x and not is_mip:
        dual = np.asarray(h.getSolution().row_dual)
    gap = float(info.mip_gap) if is_mip else 0.0
    if not np.isfinite(gap) or gap > 1e30:
        gap = float("inf")
    return Solution(
        status=name,
        optimal=status == highspy.HighsModelStatus.kOptimal,
        x=x,
        objective=float(info.objective_function_value) if has_x else None,
        gap=gap if has_x else float("inf"),
        bound=(float(info.mip_dual_bound) if is_mip else float(info.objective_function_value))
        if has_x
        else None,
        build_s=t1 - t0,
        solve_s=t2 - t1,
        row_dual=dual,
    )
