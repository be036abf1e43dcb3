"""A recursive-descent reader for one derivation line: tokens → a small tree of :class:`Node`.

The tree says only what was written (a sum over k, a hat on y, a derivative with respect to
z_j); what the names mean is decided later by a topic's world (:mod:`._scalar`, :mod:`._matrix`).
Grammar, loosest binding first::

    line    := ['='] expr ('=' expr)* [',']
    expr    := ['+'|'-'] term (('+'|'-') term)*
    term    := unary (('*' | '/' | juxtaposition) unary)*      # ∂/∂z_j applies to the rest
    unary   := '-' unary | power
    power   := postfix ('^' superscript)*                       # ^T, ^{-1}, ^*, ^2, e^{…}
    postfix := atom ('_' subscript | 'ᵀ' | '⁻¹' | '²' | "'")*
    atom    := number | name | (expr) | {expr} | \\frac{}{} | \\sum_… term | \\exp | \\log
             | \\sqrt | \\hat | ∂ atom | ∇_w atom | ‖expr‖
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.derivation._limits import MAX_EXPONENT_NESTING, MAX_NESTING, MAX_SUM_NESTING
from engine.derivation._tokens import ReadError, Token, tokenize

#: Letters that are indices (subscripts), never numbers of their own.
INDEX_LETTERS = ("i", "j", "k", "l", "m")
_ATOM_START = {"num", "name", "(", "{", "frac", "sum", "exp", "log", "sqrt", "hat", "partial",
               "nabla", "norm"}  # fmt: skip


@dataclass(frozen=True)
class Node:
    """One node of a read line.

    ``kind`` is one of ``num`` (``value`` = digits), ``name`` (``value`` = (base, indices,
    mark)), ``add``, ``neg``, ``mul``, ``div``, ``pow``, ``transpose``, ``func`` (``value`` =
    ``exp``/``log``/``sqrt``), ``sum`` (``value`` = (index, excluded indices, upper bound)),
    ``deriv`` (children: what, with respect to), ``grad`` (``value`` = variable), ``norm``.
    """

    kind: str
    children: tuple[Node, ...] = ()
    value: Any = None
    pos: int = 0


@dataclass(frozen=True)
class Line:
    """A read line: its ``=``-separated parts and whether it starts with ``=`` (continuing the
    line before)."""

    parts: tuple[Node, ...]
    continues: bool


def walk(node: Node):
    """Every node of the tree under ``node`` (``node`` first)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)


def names_in(node: Node) -> set[str]:
    """The bases of every name under ``node`` (``{'X', 'w', 'lambda'}``)."""
    return {n.value[0] for n in walk(node) if n.kind == "name"}


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens: list[Token] = tokenize(text)
        self.at = 0
        self.depth = 0
        self.exp_depth = 0
        self.sum_depth = 0
        self.in_norm = False

    # -- helpers ----------------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.at]

    def peek(self, ahead: int) -> Token:
        """The token ``ahead`` places on (the end token past the end)."""
        return self.tokens[min(self.at + ahead, len(self.tokens) - 1)]

    def take(self, kind: str | None = None) -> Token:
        token = self.tok
        if kind is not None and token.kind != kind:
            raise ReadError(f"expected {kind!r}, found {_show(token)}", token.pos)
        if token.kind == "end":
            raise ReadError("the line ends too early", token.pos)
        self.at += 1
        return token

    def enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ReadError(f"nested more than {MAX_NESTING} deep", pos)

    # -- grammar ----------------------------------------------------------------------------
    def line(self) -> Line:
        continues = self.tok.kind == "="
        if continues:
            self.take()
        parts = [self.expr()]
        while self.tok.kind == "=":
            self.take()
            parts.append(self.expr())
        if self.tok.kind == ",":
            self.take()
        if self.tok.kind != "end":
            raise ReadError(f"unexpected {_show(self.tok)}", self.tok.pos)
        return Line(tuple(parts), continues)

    def expr(self) -> Node:
        self.enter(self.tok.pos)
        start = self.tok.pos
        terms: list[Node] = []
        sign = "+"
        if self.tok.kind in "+-":
            sign = self.take().kind
        while True:
            term = self.term()
            terms.append(Node("neg", (term,), pos=term.pos) if sign == "-" else term)
            if self.tok.kind not in ("+", "-"):
                break
            sign = self.take().kind
        self.depth -= 1
        return terms[0] if len(terms) == 1 else Node("add", tuple(terms), pos=start)

    def factor(self) -> Node:
        """A unary; a bare ∂ followed by ``/∂v`` becomes the operator ∂/∂v."""
        node = self.unary()
        if node.kind == "dop" and self.tok.kind == "/":
            self.take()
            node = _divide(node, self.unary())
        return node

    def term(self) -> Node:
        left = self.factor()
        while True:
            kind = self.tok.kind
            if left.kind == "derivop":  # ∂/∂z_j applies to the rest of the term
                what = self.term() if self._starts_factor() else None
                if what is None:
                    raise ReadError("∂/∂… needs something to differentiate", left.pos)
                return Node("deriv", (what, left.children[0]), pos=left.pos)
            if kind == "times":
                self.take()
                right = self.unary()
                left = Node("mul", (left, right), pos=left.pos)
            elif kind == "/":
                self.take()
                right = self.unary()
                left = _divide(left, right)
            elif self._starts_factor():
                right = self.factor()
                if right.kind == "derivop":
                    what = self.term() if self._starts_factor() else None
                    if what is None:
                        raise ReadError("∂/∂… needs something to differentiate", right.pos)
                    right = Node("deriv", (what, right.children[0]), pos=right.pos)
                left = Node("mul", (left, right), pos=left.pos)
            else:
                return left

    def _starts_factor(self) -> bool:
        kind = self.tok.kind
        return kind in _ATOM_START and not (kind == "norm" and self.in_norm)

    def unary(self) -> Node:
        if self.tok.kind == "-":
            token = self.take()
            self.enter(token.pos)
            inner = self.unary()
            self.depth -= 1
            return Node("neg", (inner,), pos=token.pos)
        if self.tok.kind == "+":
            self.take()
        return self.power()

    def power(self) -> Node:
        base = self.postfix()
        while self.tok.kind == "^":
            base = self.superscript(base)
        return base

    def superscript(self, base: Node) -> Node:
        hat = self.take()
        token = self.tok
        if token.kind == "{" and self.peek(1).kind in ("top", "times", "star"):
            marker = self.peek(1)
            if self.peek(2).kind == "}":
                self.at += 3
                return _marked(base, marker)
        if token.kind == "{" and _is_letter(self.peek(1), "T"):
            if self.peek(2).kind == "}":
                self.at += 3
                return Node("transpose", (base,), pos=hat.pos)
        if token.kind in ("top", "times", "star"):
            self.take()
            return _marked(base, token)
        if _is_letter(token, "T"):  # T is never an exponent in these derivations
            self.take()
            return Node("transpose", (base,), pos=hat.pos)
        self.exp_depth += 1
        if self.exp_depth > MAX_EXPONENT_NESTING:
            raise ReadError(f"exponents nested more than {MAX_EXPONENT_NESTING} deep", token.pos)
        if token.kind == "{":
            self.take()
            exponent = self.expr()
            self.take("}")
        elif token.kind == "-":
            self.take()
            exponent = Node("neg", (self.postfix(),), pos=token.pos)
        else:
            exponent = self.postfix()
        self.exp_depth -= 1
        if base.kind == "name" and base.value == ("e", (), ""):
            return Node("func", (exponent,), "exp", pos=base.pos)
        return Node("pow", (base, exponent), pos=hat.pos)

    def postfix(self) -> Node:
        node = self.atom()
        while True:
            kind = self.tok.kind
            if kind == "_":
                node = self.subscript(node)
            elif kind == "transpose":
                node = Node("transpose", (node,), pos=self.take().pos)
            elif kind == "inverse":
                token = self.take()
                node = Node("pow", (node, Node("num", value="-1", pos=token.pos)), pos=token.pos)
            elif kind == "square":
                token = self.take()
                node = Node("pow", (node, Node("num", value="2", pos=token.pos)), pos=token.pos)
            elif kind == "(" and node.kind == "name" and node.value[0] == "L":
                self._skip_argument()  # L(w), L(z): the loss written as a function
            else:
                return node

    def _skip_argument(self) -> None:
        if self.peek(1).kind == "name" and self.peek(2).kind == ")":
            self.at += 3
            return
        raise ReadError("L(…) takes only its variable, as in L(w)", self.tok.pos)

    def subscript(self, node: Node) -> Node:
        token = self.take("_")
        if node.kind == "norm":
            self.take("num") if self.tok.kind == "num" else self._braced_number()
            return node
        if node.kind != "name" or node.value[1]:
            raise ReadError("a subscript needs a name before it", token.pos)
        base, _, mark = node.value
        indices: list[str] = []
        if self.tok.kind == "hat":  # y_hat_i
            self.take()
            return Node("name", value=(base + "hat", (), mark), pos=node.pos)
        if self.tok.kind == "{":
            self.take()
            while self.tok.kind in ("name", "num", ","):
                item = self.take()
                if item.kind != ",":
                    indices.append(item.text)
            self.take("}")
        elif self.tok.kind in ("name", "num"):
            item = self.take()
            indices.extend(item.text if item.kind == "num" else [item.text])
            follower = self.tok  # δ_ij typed without braces: both letters are its indices
            if base == "delta" and follower.kind == "name" and follower.pos == item.pos + 1:
                indices.append(self.take().text)
        else:
            raise ReadError(f"expected an index after '_', found {_show(self.tok)}", self.tok.pos)
        for index in indices:
            if not (index in INDEX_LETTERS or index.isdigit() or len(index) == 1):
                raise ReadError(f"{index!r} is not an index", token.pos)
        return Node("name", value=(base, tuple(indices), mark), pos=node.pos)

    def _braced_number(self) -> None:
        self.take("{")
        self.take("num")
        self.take("}")

    def atom(self) -> Node:
        token = self.tok
        kind = token.kind
        self.enter(token.pos)
        try:
            if kind == "num":
                self.take()
                return Node("num", value=token.text, pos=token.pos)
            if kind == "name":
                self.take()
                return Node("name", value=(token.text, (), ""), pos=token.pos)
            if kind in ("(", "{"):
                self.take()
                was_in_norm, self.in_norm = self.in_norm, False
                inner = self.expr()
                self.in_norm = was_in_norm
                self.take(")" if kind == "(" else "}")
                return inner
            if kind == "frac":
                self.take()
                top = self._argument()
                bottom = self._argument()
                return _divide(top, bottom, frac=True)
            if kind == "sum":
                return self.sum()
            if kind in ("exp", "log", "sqrt"):
                self.take()
                if kind == "exp":
                    self.exp_depth += 1
                    if self.exp_depth > MAX_EXPONENT_NESTING:
                        raise ReadError(
                            f"exponents nested more than {MAX_EXPONENT_NESTING} deep", token.pos
                        )
                arg = self._argument() if self.tok.kind == "{" else self.power()
                if kind == "exp":
                    self.exp_depth -= 1
                return Node("func", (arg,), kind, pos=token.pos)
            if kind == "hat":
                self.take()
                inner = self._argument() if self.tok.kind == "{" else self.atom()
                if inner.kind != "name":
                    raise ReadError("a hat goes on a name, as in \\hat{y}", token.pos)
                base, indices, mark = inner.value
                return Node("name", value=(base + "hat", indices, mark), pos=token.pos)
            if kind == "partial":
                self.take()
                if self.tok.kind in ("}", "/", "end"):
                    return Node("dop", pos=token.pos)
                return Node("diff", (self.postfix(),), pos=token.pos)
            if kind == "nabla":
                self.take()
                variable = ""
                if self.tok.kind == "_":
                    self.take()
                    braced = self.tok.kind == "{"
                    if braced:
                        self.take()
                    variable = self.take("name").text
                    if braced:
                        self.take("}")
                return Node("grad", (self.postfix(),), variable, pos=token.pos)
            if kind == "norm":
                if self.in_norm:
                    raise ReadError("a norm inside a norm", token.pos)
                self.take()
                self.in_norm = True
                inner = self.expr()
                self.in_norm = False
                self.take("norm")
                return Node("norm", (inner,), pos=token.pos)
            raise ReadError(f"unexpected {_show(token)}", token.pos)
        finally:
            self.depth -= 1

    def _argument(self) -> Node:
        """A braced group, or one token (``\\frac12``)."""
        if self.tok.kind == "{":
            self.take()
            if self.tok.kind == "partial" and self.peek(1).kind == "}":
                token = self.take()
                self.take("}")
                return Node("dop", pos=token.pos)
            inner = self.expr()
            self.take("}")
            return inner
        return self.atom()

    def sum(self) -> Node:
        token = self.take("sum")
        self.sum_depth += 1
        if self.sum_depth > MAX_SUM_NESTING:
            raise ReadError(f"sums nested more than {MAX_SUM_NESTING} deep", token.pos)
        index, excluded, upper = "k", [], ""
        if self.tok.kind == "_":
            self.take()
            braced = self.tok.kind == "{"
            if braced:
                self.take()
            index = self.take("name").text
            if braced:
                if self.tok.kind == "=":
                    self.take()
                    if self.take("num").text not in ("0", "1"):
                        raise ReadError("a sum starts at 1 (or 0)", token.pos)
                elif self.tok.kind == "neq":
                    self.take()
                    excluded.append(self.take("name").text)
                self.take("}")
        if index not in INDEX_LETTERS:
            raise ReadError(f"the sum's index {index!r} is not one of i, j, k, l, m", token.pos)
        if self.tok.kind == "^":
            self.take()
            braced = self.tok.kind == "{"
            if braced:
                self.take()
            upper = self.take().text
            if braced:
                self.take("}")
        if not self._starts_factor() and self.tok.kind != "-":
            raise ReadError("a sum needs something to add up", token.pos)
        body = self.term() if self.tok.kind != "-" else self.unary()
        self.sum_depth -= 1
        return Node("sum", (body,), (index, tuple(excluded), upper), pos=token.pos)


def _is_letter(token: Token, letter: str) -> bool:
    return token.kind == "name" and token.text == letter


def _marked(base: Node, marker: Token) -> Node:
    if marker.kind == "top":
        return Node("transpose", (base,), pos=marker.pos)
    if base.kind != "name":
        raise ReadError("^* goes on a name, as in w^*", marker.pos)
    name, indices, _ = base.value
    return Node("name", value=(name, indices, "star"), pos=base.pos)


def _is_d(node: Node) -> bool:
    return node.kind == "name" and node.value == ("d", (), "")


def _after_d(node: Node) -> Node | None:
    """``X`` of a product ``d·X`` (how ``dL`` and ``dz_j`` are read), else None."""
    if node.kind == "mul" and _is_d(node.children[0]) and node.children[1].kind == "name":
        return node.children[1]
    return None


def _divide(top: Node, bottom: Node, *, frac: bool = False) -> Node:
    """``top / bottom``; ∂a/∂b becomes a derivative, ∂/∂b an operator on what follows, and
    so does ``\\frac{dL}{dz_j}`` / ``\\frac{d}{dw}`` (a d before both parts of a fraction)."""
    variable, what = _after_d(bottom), _after_d(top)
    if frac and variable is not None:
        if _is_d(top):
            top, bottom = Node("dop", pos=top.pos), Node("diff", (variable,), pos=bottom.pos)
        elif what is not None:
            top = Node("diff", (what,), pos=top.pos)
            bottom = Node("diff", (variable,), pos=bottom.pos)
    if bottom.kind == "diff":
        if top.kind == "diff":
            return Node("deriv", (top.children[0], bottom.children[0]), pos=top.pos)
        if top.kind == "dop":
            return Node("derivop", (bottom.children[0],), pos=top.pos)
    if top.kind in ("diff", "dop") or bottom.kind in ("diff", "dop"):
        raise ReadError("a ∂ that is not part of a derivative ∂a/∂b", top.pos)
    return Node("div", (top, bottom), pos=top.pos)


def _show(token: Token) -> str:
    return "the end of the line" if token.kind == "end" else repr(token.text or token.kind)


def read_line(text: str) -> Line:
    """Read one derivation line.

    Raises
    ------
    ReadError
        With the 0-based ``position`` of the character that could not be read.
    """
    parser = _Parser(text)
    line = parser.line()
    for part in line.parts:
        for node in walk(part):
            if node.kind in ("diff", "dop", "derivop"):
                raise ReadError("a ∂ that is not part of a derivative ∂a/∂b", node.pos)
    return line
