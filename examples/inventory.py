"""A small stock-keeping module with the kind of holes a pull request leaves behind."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Item:
    sku: str
    name: str
    quantity: int = 0
    unit_price_cents: int = 0


@dataclass
class Inventory:
    items: dict[str, Item] = field(default_factory=dict)

    def add(self, item: Item) -> None:
        """Add an item, or increase the quantity of one already held."""
        if item.sku in self.items:
            self.items[item.sku].quantity += item.quantity
        else:
            self.items[item.sku] = item

    def remove(self, sku: str, quantity: int) -> None:
        """Take `quantity` units of `sku` out of stock."""
        # TODO: raise KeyError for an unknown sku and ValueError when stock would go negative
        pass

    def total_value_cents(self) -> int:
        """The value of everything in stock, in cents."""
        raise NotImplementedError

    def low_stock(self, threshold: int) -> list[Item]: ...


def parse_csv_line(line: str) -> Item:
    """Parse `sku,name,quantity,unit_price_cents` into an Item."""
    sku, name, quantity, price = (part.strip() for part in line.split(","))
    # FIXME: validate that quantity and price are non-negative integers
    return Item(sku=sku, name=name, quantity=int(quantity), unit_price_cents=int(price))
