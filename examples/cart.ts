// A shopping cart that keeps its lines in the order they were added.

export interface Line {
  sku: string;
  quantity: number;
  unitPrice: number;
}

export class Cart {
  private lines: Line[] = [];

  add(line: Line): void {
    // TODO: merge with an existing line of the same sku instead of adding a second one
    this.lines.push(line);
  }

  total(): number {
    throw new Error("Not implemented");
  }

  isEmpty(): boolean { throw new Error("not implemented"); }
}
