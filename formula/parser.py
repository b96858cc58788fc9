"""Formula text -> untyped syntax tree (lark LALR, then a non-recursive transformer).

Neither step recurses, so deep nesting cannot crash; the depth is then checked
before anything recursive (the checker, the back-ends) walks the tree.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from importlib.resources import files

from lark import Lark, Token, v_args
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken
from lark.visitors import Transformer_NonRecursive

from hulian.formula.ast import Call, Literal, Node, Ref
from hulian.formula.errors import FormulaError, Span
from hulian.formula.types import T

MAX_LENGTH = 3900
MAX_DEPTH = 100

OPERATORS = {
    "+": "_ADD", "-": "_SUB", "*": "_MUL", "/": "_DIV", "^": "_POW", "&": "_CONCAT",
    "=": "_EQ", "==": "_EQ", "!=": "_NE", "<>": "_NE",
    "<": "_LT", "<=": "_LE", ">": "_GT", ">=": "_GE",
    "&&": "_AND", "||": "_OR", "!": "_NOT", "neg": "_NEG",
}
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "\\": "\\", "'": "'",
           '"': '"'}


def _span(meta) -> Span:
    return Span(meta.start_pos, meta.end_pos, meta.line, meta.column)


def _token_span(token: Token) -> Span:
    return Span(token.start_pos, token.end_pos, token.line, token.column)


def unescape(body: str) -> str:
    out = []
    chars = iter(body)
    for char in chars:
        if char == "\\":
            nxt = next(chars, "\\")
            out.append(ESCAPES.get(nxt, "\\" + nxt))
        else:
            out.append(char)
    return "".join(out)


@v_args(meta=True)
class _Build(Transformer_NonRecursive):
    def number(self, meta, children):
        return Literal(Decimal(str(children[0])), T.NUMBER, _span(meta))

    def string(self, meta, children):
        text = unescape(str(children[0])[1:-1])
        return Literal(text or None, T.TEXT, _span(meta))  # empty text is blank

    def ref(self, meta, children):
        names = tuple(str(c) for c in children)
        if len(names) == 1 and names[0].lower() in ("true", "false"):
            return Literal(names[0].lower() == "true", T.BOOLEAN, _span(meta))
        if len(names) == 1 and names[0].lower() == "null":
            return Literal(None, T.NULL, _span(meta))
        return Ref(names, _span(meta))

    def call(self, meta, children):
        name, *args = children
        args = [a for a in args if a is not None]
        return Call(str(name).upper(), tuple(args), _span(meta))

    def binary(self, meta, children):
        left, op, right = children
        return Call(OPERATORS[str(op)], (left, right), _span(meta), operator=str(op))

    def _op(self, meta, children, op: str):
        return Call(OPERATORS[op], tuple(children), _span(meta), operator=op)

    def concat(self, meta, children):
        return self._op(meta, children, "&")

    def and_op(self, meta, children):
        return self._op(meta, children, "&&")

    def or_op(self, meta, children):
        return self._op(meta, children, "||")

    def not_op(self, meta, children):
        return self._op(meta, children, "!")

    def power(self, meta, children):
        return self._op(meta, children, "^")

    def negate(self, meta, children):
        operand = children[0]
        if isinstance(operand, Literal) and operand.type is T.NUMBER:
            return Literal(operand.value.copy_negate(), T.NUMBER, _span(meta))  # exact
        return Call("_NEG", (operand,), _span(meta), operator="-")

    def plus(self, meta, children):
        return children[0]


@cache
def _parser() -> Lark:
    grammar = files("hulian.formula").joinpath("grammar.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=True)


def _depth(node: Node) -> int:
    deepest = 0
    stack: list[tuple[Node, int]] = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(current, Call):
            stack.extend((arg, depth + 1) for arg in current.args)
    return deepest


def _position(text: str, offset: int) -> Span:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Span(offset, offset + 1, line, column)


def parse(text: str) -> Node:
    """Parse ``text`` into a tree, or raise FormulaError (code ``formula.syntax``...)."""
    if not isinstance(text, str):
        raise FormulaError("a formula is text", code="formula.syntax")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"the formula is {len(text)} characters long; at most {MAX_LENGTH} "
                           "are allowed", code="formula.too_long", text=text,
                           hint="split it into several formula fields")
    if not text.strip():
        raise FormulaError("the formula is empty", code="formula.syntax", text=text)
    try:
        tree = _Build().transform(_parser().parse(text))
    except UnexpectedCharacters as exc:
        raise FormulaError(f"unexpected character {text[exc.pos_in_stream]!r}",
                           code="formula.syntax", text=text,
                           span=_position(text, exc.pos_in_stream)) from None
    except UnexpectedEOF:
        raise FormulaError("the formula ends too early (an operand or ')' is missing)",
                           code="formula.syntax", text=text,
                           span=_position(text, max(len(text) - 1, 0))) from None
    except UnexpectedToken as exc:
        token = exc.token
        if token.type == "$END":
            raise FormulaError("the formula ends too early (an operand or ')' is missing)",
                               code="formula.syntax", text=text,
                               span=_position(text, max(len(text) - 1, 0))) from None
        raise FormulaError(f"unexpected {str(token)!r}", code="formula.syntax", text=text,
                           span=_token_span(token)) from None
    except (LarkError, RecursionError) as exc:
        raise FormulaError(f"the formula cannot be read: {exc}", code="formula.syntax",
                           text=text) from None
    if _depth(tree) > MAX_DEPTH:
        raise FormulaError(f"the formula nests deeper than {MAX_DEPTH} levels",
                           code="formula.too_deep", text=text,
                           hint="simplify it, e.g. with CASE instead of nested IFs")
    return tree
