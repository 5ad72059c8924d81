"""Lifting: a tape's structurally identical nodes grouped into array operations over a batch.

Nodes at the same depth with the same op, parameter, number of inputs, kinds of
input (a per-sample row, or a parameter) and inputs that need a gradient form a
group, and a group runs as one array expression: a layer of neurons (``dot`` nodes
reading the same inputs, each with its own weights) becomes one matrix product, the
relus after it one array operation. The backward lines are the op's own rule applied to
whole blocks of rows, as ``codegen`` applies it to one slot, so no derivative is
written a second time; for ``dot`` it is the rule's pairing (d/dw_i = x_i,
d/dx_i = w_i) that makes the transposed products.

Per-sample values live in a matrix ``V`` (a row per slot, a column per sample; rows
are laid out so that each group's outputs are consecutive) and parameters in a flat
array ``P``; ``G`` and ``GP`` hold their adjoints, which start at zero: a backward
line assigns a block where nothing was added before and adds to it after. A layer of
two neurons, each with its weights then its bias in ``P``, reads its weight matrix and
biases as views of ``P`` (nothing gathered); then a sum, times the first input, whose
adjoint the layer's line then adds to:

>>> from engine import Value, compile, dot, sum
>>> layer = [([Value(0.5), Value(-1.0)], Value(0.1)), ([Value(2.0), Value(0.25)], Value(0.0))]
>>> f = lambda x: sum([dot(w, x, bias=b).relu() for w, b in layer]) * x[0]
>>> lifted = lift(compile(f, [1.0, 2.0]).tape)
>>> print(lifted.forward)
V[2:4] = P[0:6].reshape(2, 3)[:, :2] @ V[0:2] + P[2:6:3, None]
V[4:6] = relu_0(V[2:4])
V[6:7] = sum_2(V[4:5], V[5:6])
V[7:8] = V[6:7]*V[0:1]
>>> print(lifted.backward)
G[6:7] = G[7:8] * (V[0:1])
G[0:1] = G[7:8] * (V[6:7])
G[4:5] = G[6:7]
G[5:6] = G[6:7]
G[2:4] = G[4:6] * (if_positive_1(V[2:4], 1.0, 0.0))
G[0:2] += P[0:6].reshape(2, 3)[:, :2].T @ G[2:4]
GP[0:6].reshape(2, 3)[:, :2] = G[2:4] @ V[0:2].T
GP[2:6:3] = (G[2:4]).sum(axis=1)

A many-input op over more than two inputs (a softmax's logsumexp, a loss's sum) runs on
one block of shape (inputs, group size, samples), reduced over its first axis.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, List, NamedTuple, Sequence, Tuple

from .. import ops
from ..symbolic import Code, Sym
from .codegen import param_key, partial_texts
from .tape import Tape


class Rows(NamedTuple):
    """Where a group reads one argument position: per-sample rows of ``V``, or entries of ``P``."""

    kind: str  # "V" or "P"
    index: Tuple[int, ...]


class Lifted(NamedTuple):
    """The array program of a tape: the bodies of ``forward(V, P)`` and ``backward(V, P, G, GP)``."""

    forward: str
    backward: str
    functions: Dict[str, Any]  # identifier -> op or helper, bound by a back-end as in codegen
    indices: Dict[str, Tuple[int, ...]]  # identifier -> an index array the code gathers with
    rows: int  # rows of V
    row_of: Dict[int, int]  # slot -> row of V (inputs, constants and computed values)
    groups: int  # array operations, against len(tape) nodes
    added_first: Dict[str, Tuple[int, ...]]  # "G" rows and "GP" entries that backward adds to before assigning


def lift(tape: Tape, input_grads: bool = True) -> Lifted:
    """Group the tape's nodes by depth and shape, and write the array program (see the module docstring).
    Only the gradients someone reads are computed (``Tape.needs_gradient``): ``input_grads=False``
    leaves out the inputs' (training needs only the parameters')."""
    needs = tape.needs_gradient(input_grads)
    param_of = {slot: i for i, slot in enumerate(tape.param_slots)}
    row_of: Dict[int, int] = {}  # the inputs first, in order (the replay copies each argument in one piece)
    for slot in list(tape.input_slots) + [slot for slot, _ in tape.constants]:
        row_of.setdefault(slot, len(row_of))
    groups: Dict[tuple, list] = {}
    for shape, (op, args, param, out) in _shapes(tape, param_of):
        groups.setdefault((*shape, tuple(map(needs.__getitem__, args))), []).append((args, out, param))
    writer = _Writer(param_of, row_of)
    for key in sorted(groups, key=lambda k: k[0]):  # stable: groups of one depth keep tape order
        op, wanted = key[1], key[4]
        if op is ops.DOT:
            for parts in _by_shared_weights(_by_shared_inputs(groups[key]), writer):
                if len(parts) > 1:  # one kernel over many windows: a convolution
                    writer.convolution(wanted, [[args for args, _, _ in part] for part in parts],
                                       [[out for _, out, _ in part] for part in parts])
                else:
                    writer.group(op, None, wanted, [args for args, _, _ in parts[0]], [out for _, out, _ in parts[0]])
            continue
        writer.group(op, groups[key][0][2], wanted, [args for args, _, _ in groups[key]], [out for _, out, _ in groups[key]])
    backward, added_first = _first_writes(writer.backward, row_of.get(tape.output_slots[0]))
    return Lifted("\n".join(writer.forward) or "pass", backward or "pass",
                  writer.dialect.functions, writer.indices, len(row_of), row_of, writer.count, added_first)


def few_groups(tape: Tape, limit: int) -> bool:
    """Whether the tape's nodes fall into at most ``limit`` groups of depth, op and shape (a lower bound on the
    lifted program's lines, counted without writing any): a convolutional network's 50,000 nodes make a few
    dozen, a chain of 50,000 nodes 50,000. One pass over the tape, stopped as soon as the count passes."""
    keys: set = set()
    for shape, _ in _shapes(tape, set(tape.param_slots)):
        keys.add(shape)
        if len(keys) > limit:
            return False
    return True


def _shapes(tape: Tape, param_of: Any) -> Iterator[Tuple[tuple, tuple]]:
    """Each instruction with the key that groups it: its depth in the graph, its op and parameter, and which of
    its arguments are parameters (``param_of`` holds their slots). Nodes of one key run as one array operation."""
    depth = [0] * tape.size
    for instruction in tape.instructions():
        op, args, param, out = instruction
        depth[out] = 1 + max(depth[a] for a in args)
        yield (depth[out], op, param_key(param), tuple(a in param_of for a in args)), instruction


class _Add(NamedTuple):
    """A backward statement that adds into ``target`` (G or GP) at ``entries``; ``assign``, the same as an
    assignment, where the entries may still be zero (None for add_at, which always adds)."""

    target: str
    entries: Tuple[int, ...]
    add: str
    assign: Any

    @classmethod
    def into(cls, target: str, entries: Tuple[int, ...], place: str, value: str) -> "_Add":
        """``place += value``, or ``place = value`` where nothing was added before."""
        return cls(target, entries, f"{place} += {value}", f"{place} = {value}")


def _first_writes(groups: List[List[_Add]], seeded: Any) -> Tuple[str, Dict[str, Tuple[int, ...]]]:
    """The backward program in reverse group order, each statement an assignment where nothing was added to
    its entries before (G and GP start at zero, so it is the same), else an addition: a pass over the
    block saved, and no strided read of GP. The main output's row holds its seed. Also the entries that
    an addition reaches first: a replay that reuses its arrays zeroes those (and only those) again."""
    written: Dict[str, set] = {"G": {seeded}, "GP": set()}
    added_first: Dict[str, set] = {"G": set(), "GP": set()}
    lines = []
    for group in reversed(groups):
        for statement in group:
            seen = written[statement.target]
            first = statement.assign is not None and seen.isdisjoint(statement.entries)
            lines.append(statement.assign if first else statement.add)
            if not first:
                added_first[statement.target].update(set(statement.entries) - seen)
            seen.update(statement.entries)
    return "\n".join(lines), {target: tuple(sorted(entries)) for target, entries in added_first.items()}


def _by_shared_inputs(members: list) -> List[list]:
    """dot nodes split by the inputs they read, so that each part can be one matrix product."""
    parts: Dict[tuple, list] = {}
    for member in members:
        parts.setdefault(tuple(member[0][1::2]), []).append(member)
    return list(parts.values())


def _by_shared_weights(parts: List[list], writer: "_Writer") -> List[List[list]]:
    """Matrix-product parts (see ``_by_shared_inputs``) gathered by their weights: parts with the same weights,
    each reading its own inputs, are one kernel slid over many windows, and run as one product (``convolution``)."""
    found: Dict[tuple, List[list]] = {}
    for part in parts:
        args = [a for a, _, _ in part]
        n = len(args[0])
        if n < 2 or not _matmul_ready([writer.rows([a[i] for a in args]) for i in range(n)], n):
            found[(id(part),)] = [part]
            continue
        weights = tuple(tuple(a[0::2][:n // 2]) for a in args)
        bias = tuple(a[-1] for a in args) if n % 2 else ()
        if bias and bias[0] not in writer.param_of:  # a bias that varies by sample: a window's own product
            found[(id(part),)] = [part]
            continue
        found.setdefault((weights, bias), []).append(part)
    return list(found.values())


class _Writer:
    """Writes each group's forward line and backward lines, laying out V's rows as it goes."""

    def __init__(self, param_of: Dict[int, int], row_of: Dict[int, int]) -> None:
        self.param_of, self.row_of = param_of, row_of
        self.dialect = Code()
        self.indices: Dict[str, Tuple[int, ...]] = {}
        self.forward: List[str] = []
        self.backward: List[List[_Add]] = []  # one entry per group, in forward order
        self.count = 0

    def rows(self, slots: Sequence[int]) -> Rows:
        if slots[0] in self.param_of:
            return Rows("P", tuple(self.param_of[s] for s in slots))
        return Rows("V", tuple(self.row_of[s] for s in slots))

    def index(self, index: Tuple[int, ...]) -> str:
        """A slice when the entries are evenly spaced upwards (a view: nothing is copied), else a named
        index array."""
        step = index[1] - index[0] if len(index) > 1 else 1
        if step > 0 and index == tuple(range(index[0], index[0] + step * len(index), step)):
            return f"{index[0]}:{index[-1] + 1}" + (f":{step}" if step > 1 else "")
        return self.named_index(index)

    def named_index(self, index: Tuple[int, ...]) -> str:
        """An index array for ``index`` even where a slice would do: a gather, for a block reshaped after."""
        for name, known in self.indices.items():
            if known == index:
                return name
        name = f"i{len(self.indices)}"
        self.indices[name] = index
        return name

    def read(self, rows: Rows) -> str:
        """A block of shape (group size, samples), or (group size, 1) for parameters."""
        return f"V[{self.index(rows.index)}]" if rows.kind == "V" else f"P[{self.index(rows.index)}, None]"

    def add_to(self, rows: Rows, term: str) -> _Add:
        """Adds ``term`` into the adjoints of ``rows``: summed over samples for parameters, and
        over repeats where the group reads one slot twice."""
        target, total = ("G", term) if rows.kind == "V" else ("GP", f"({term}).sum(axis=1)")
        where = self.index(rows.index)
        if len(set(rows.index)) < len(rows.index):
            return _Add(target, rows.index, f"add_at({target}, {where}, {total})", None)
        if ":" not in where:  # a scatter: PyTorch refuses one from a view of the same array (NumPy copies)
            return _Add(target, rows.index, f"{target}[{where}] += {total}", f"{target}[{where}] = unaliased({total})")
        return _Add.into(target, rows.index, f"{target}[{where}]", total)

    def outputs(self, outs: Sequence[int]) -> str:
        start = len(self.row_of)
        for slot in outs:
            self.row_of[slot] = len(self.row_of)
        return f"{start}:{len(self.row_of)}"

    def group(self, op: ops.Op, param: Any, wanted: Tuple[int, ...], args: List[Sequence[int]],
              outs: List[int]) -> None:
        """One group's lines; ``wanted`` says which argument positions need a gradient."""
        self.count += 1
        n = len(wanted)
        positions = [self.rows([a[i] for a in args]) for i in range(n)]
        if op is ops.DOT and _matmul_ready(positions, n):
            return self.matmul(positions, wanted, outs)
        if op.arity is None and op is not ops.DOT and param is None and n > 2 and _uniform(op, n) \
                and all(rows.kind == "V" for rows in positions):
            return self.stacked(op, wanted, positions, outs)
        blocks = [Sym(self.read(rows), dialect=self.dialect) for rows in positions]
        out = self.outputs(outs)
        self.forward.append(f"V[{out}] = {op(*blocks, param=param)}")
        lines = []
        for rows, w, text in zip(positions, wanted,
                                 partial_texts(op, param, blocks, Sym(f"V[{out}]", dialect=self.dialect))):
            if not text or not w:
                continue  # nobody reads this gradient (a constant's, say, or when training an input's)
            term = {"1.0": f"G[{out}]", "-1.0": f"-G[{out}]"}.get(text, f"G[{out}] * ({text})")
            lines.append(self.add_to(rows, term))
        self.backward.append(lines)

    def stacked(self, op: ops.Op, wanted: Tuple[int, ...], positions: List[Rows], outs: List[int]) -> None:
        """A many-input op (sum, logsumexp) over a block of shape (inputs, group size, samples), reduced
        over its first axis in one call: one partial, the rule's for its first input, serves every input,
        since the rule treats them alike."""
        m, n = len(outs), len(wanted)
        rows = Rows("V", tuple(i for rows in positions for i in rows.index))
        block = f"{self.read(rows)}.reshape({n}, {m}, -1)"
        out = self.outputs(outs)
        self.forward.append(f"V[{out}] = {self.dialect.reduction(op)}({block})")
        # the first input's partial, which mentions that input alone (``_uniform``): the block stands in for all
        text = partial_texts(op, None, [Sym(block, dialect=self.dialect)] * n,
                             Sym(f"V[{out}][None]", dialect=self.dialect))[0]
        if not text or not any(wanted):  # a block is sent to whole: those that need none get a gradient nobody reads
            self.backward.append([])
            return
        term = f"G[{out}]" if text == "1.0" else f"G[{out}] * ({text})"
        where = self.index(rows.index)
        if ":" in where:  # evenly spaced rows (a slice): added through a view of them, broadcasting
            self.backward.append([_Add.into("G", rows.index, f"G[{where}].reshape({n}, {m}, -1)[...]", term)])
        else:
            self.backward.append([self.add_to(rows, f"stretch({term}, {n})")])

    def matrix(self, weights: Tuple[int, ...], m: int, k: int) -> Tuple[str, Callable[[str], _Add]]:
        """The (m, k) weight matrix whose entries of P are ``weights`` row-major, and the statement that
        adds an (m, k) term into their adjoints. Where each row's weights are consecutive and the
        rows evenly spaced (a layer's neurons, each with its weights then its bias), both are views of
        P and GP; otherwise the weights are gathered, and added back where one repeats."""
        start, stride = weights[0], weights[k] - weights[0] if m > 1 else k
        if stride > k and start + m * stride <= len(self.param_of) \
                and weights == tuple(start + j * stride + i for j in range(m) for i in range(k)):
            view = f"[{start}:{start + m * stride}].reshape({m}, {stride})[:, :{k}]"
            return f"P{view}", lambda term: _Add.into("GP", weights, f"GP{view}", term)
        where = self.index(weights)  # consecutive weights are a slice, so a view too
        if len(set(weights)) < len(weights):  # one weight in two places (a layer applied twice, say) adds up
            return f"P[{where}].reshape({m}, {k})", \
                lambda term: _Add("GP", weights, f"add_at(GP, {where}, ({term}).reshape(-1))", None)
        return f"P[{where}].reshape({m}, {k})", lambda term: _Add.into("GP", weights, f"GP[{where}]",
                                                                        f"({term}).reshape(-1)")

    def matmul(self, positions: List[Rows], wanted: Tuple[int, ...], outs: List[int]) -> None:
        """out = W @ X (+ b): W the weights' entries of P as an (outputs, inputs) matrix, X the shared inputs."""
        m, n = len(outs), len(wanted)
        pairs = n // 2
        weights = tuple(positions[2 * k].index[j] for j in range(m) for k in range(pairs))
        W, add_to_weights = self.matrix(weights, m, pairs)
        inputs = Rows("V", tuple(positions[2 * k + 1].index[0] for k in range(pairs)))
        X = self.read(inputs)
        bias = f" + {self.read(positions[-1])}" if n % 2 else ""
        out = self.outputs(outs)
        self.forward.append(f"V[{out}] = {W} @ {X}{bias}")
        lines = []
        if any(wanted[1:2 * pairs:2]):  # as a block: inputs that need no gradient get one nobody reads
            lines.append(self.add_to(inputs, f"{W}.T @ G[{out}]"))
        lines.append(add_to_weights(f"G[{out}] @ {X}.T"))
        if n % 2 and wanted[-1]:
            lines.append(self.add_to(positions[-1], f"G[{out}]"))
        self.backward.append(lines)


    def convolution(self, wanted: Tuple[int, ...], windows: List[List[Sequence[int]]],
                    outs: List[List[int]]) -> None:
        """One kernel over p windows: out = W @ X (+ b) with X the windows' inputs side by side, an array of shape
        (k, p · samples) gathered from V (im2col), W the (m, k) weights each window's dots share. The outputs
        are laid out channel by channel (row c · p + j for channel c of window j), as a convolution makes
        them, so that the next layer reads them as one slice; the inputs' adjoints are added back where the
        windows overlap."""
        self.count += 1
        p, m, n = len(windows), len(outs[0]), len(wanted)
        pairs = n // 2
        first = windows[0]
        weights = tuple(self.param_of[first[j][2 * k]] for j in range(m) for k in range(pairs))
        W, add_to_weights = self.matrix(weights, m, pairs)
        inputs = Rows("V", tuple(self.row_of[window[0][2 * k + 1]] for k in range(pairs) for window in windows))
        X = f"{self.read(inputs)}.reshape({pairs}, -1)"
        if self.index(inputs.index).count(":") > 1:  # strided rows: reshaped, they would be a copy, not a view
            X = f"V[{self.named_index(inputs.index)}].reshape({pairs}, -1)"
        bias = f" + {self.read(self.rows([first[j][-1] for j in range(m)]))}" if n % 2 else ""
        out = self.outputs([outs[j][c] for c in range(m) for j in range(p)])
        self.forward.append(f"V[{out}] = ({W} @ {X}{bias}).reshape({m * p}, -1)")
        G = f"G[{out}].reshape({m}, -1)"
        lines = []
        if any(wanted[1:2 * pairs:2]):
            lines.append(self.add_to(inputs, f"({W}.T @ {G}).reshape({pairs * p}, -1)"))
        lines.append(add_to_weights(f"{G} @ {X}.T"))
        if n % 2 and wanted[-1]:
            lines.append(self.add_to(self.rows([first[j][-1] for j in range(m)]), G))
        self.backward.append(lines)


def _uniform(op: ops.Op, n: int) -> bool:
    """Whether the op's rule gives each input the same partial, written in that input alone."""
    syms = [Sym(f"s{i}_") for i in range(n)]
    partials = [str(d) for d in op.local_derivatives(syms, Sym("out"))]
    return all(p == partials[0].replace("s0_", f"s{i}_") for i, p in enumerate(partials)) \
        and not any(f"s{i}_" in partials[0] for i in range(1, n))


def _matmul_ready(positions: List[Rows], n: int) -> bool:
    """Whether a dot group is W @ X: each weight position from P, each input position one shared row of V."""
    pairs = n // 2
    if not pairs or not _rule_pairs_weights_with_inputs(n):
        return False
    return all(positions[2 * k].kind == "P" and positions[2 * k + 1].kind == "V"
               and len(set(positions[2 * k + 1].index)) == 1 for k in range(pairs))


def _rule_pairs_weights_with_inputs(n: int) -> bool:
    """dot's own rule, applied to symbols, says d/dw_i = x_i and d/dx_i = w_i (and d/dbias = 1)."""
    syms = [Sym(f"s{i}") for i in range(n)]
    partials = [str(d) for d in ops.DOT.local_derivatives(syms, Sym("out"))]
    partner = [f"s{i + 1 if i % 2 == 0 else i - 1}" for i in range(n - n % 2)] + ["1"] * (n % 2)
    return [p.replace("1.0", "1") if p == "1.0" else p for p in partials] == partner
