"""Repo context: definitions from other files that the code around a hole uses."""

from __future__ import annotations

from bot.context import snippets
from bot.data import Hole, SourceFile
from bot.languages.python import find_holes
from bot.repo import RepoView

MONEY = '''\
"""Money helpers."""


def to_cents(amount: str) -> int:
    """Parse '12.34' into 1234 cents."""
    whole, _, frac = amount.partition(".")
    return int(whole) * 100 + int(frac or 0)


def unused(x):
    return x


class Price:
    """A price in cents."""

    def __init__(self, cents: int) -> None:
        self.cents = cents

    def add(self, other: "Price") -> "Price":
        """Sum of two prices."""
        return Price(self.cents + other.cents)

    def _private(self):
        return 1
'''

CART = '''\
from .money import Price, to_cents, unused
import shop.tax as tax


def total(lines):
    """Sum the prices written in lines."""
    result = Price(0)
    # TODO: add to_cents of each line, then tax.apply
    return result
'''

TAX = 'def apply(price):\n    """Add VAT."""\n    return price\n\n\ndef other():\n    return 0\n'


def view(files: dict[str, str]) -> RepoView:
    return RepoView(
        list_files=lambda: sorted(files),
        read_files=lambda paths: {p: files[p].encode() if p in files else None for p in paths},
        max_size=1_000_000,
    )


def hole_in(text: str, path: str) -> Hole:
    file = SourceFile(path=path, text=text, added=frozenset(range(1, text.count("\n") + 2)))
    (hole,) = find_holes(file, ("TODO",))
    return hole


FILES = {"src/shop/money.py": MONEY, "src/shop/cart.py": CART, "src/shop/tax.py": TAX}


def test_imported_definitions_used_near_the_hole_are_shown_as_signatures() -> None:
    """Used imports are followed (relative and absolute); bodies are left out; unused ones too."""
    found = snippets(hole_in(CART, "src/shop/cart.py"), CART, view(FILES))
    assert [s.path for s in found] == ["src/shop/money.py", "src/shop/tax.py"]
    money = found[0].text
    assert (
        'def to_cents(amount: str) -> int:\n    """Parse \'12.34\' into 1234 cents."""\n    ...'
        in money
    )
    assert "class Price:" in money
    assert 'def add(self, other: "Price") -> "Price":' in money
    assert "partition" not in money  # no bodies
    assert "_private" not in money
    assert "unused" not in money
    assert found[1].text == 'def apply(price):\n    """Add VAT."""\n    ...\n'


def test_budget_limits_the_context() -> None:
    """A tiny budget keeps what fits, and zero turns context off."""
    hole = hole_in(CART, "src/shop/cart.py")
    assert snippets(hole, CART, view(FILES), budget_tokens=0) == ()
    small = snippets(hole, CART, view(FILES), budget_tokens=60)
    assert sum(len(s.text) for s in small) <= 60 * 4


def test_no_repository_or_no_file_means_no_context() -> None:
    """Outside a repository view, or when the module is not in it, nothing is added."""
    hole = hole_in(CART, "src/shop/cart.py")
    assert snippets(hole, CART, None) == ()
    assert snippets(hole, CART, view({"src/shop/cart.py": CART})) == ()
