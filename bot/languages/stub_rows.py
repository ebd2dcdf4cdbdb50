r"""Stubs in the languages read by tree-sitter (DESIGN.md section 2): which nodes are functions
with a body, and the statements that make a body unfinished. Read by bot/languages/stubs.py.

A function is a stub when every statement of its body (comments aside) is an idiom below.
The hole is the rows of those statements, comment rows among them, between the row of the
opening brace (Ruby: the signature) and the row of the closing one (`end`); blank rows at the
edges stay out, and so do the braces, the signature and the doc comments above it. A body
that shares one row with its braces (`fn f() { todo!() }`) is a hole of that whole row, which
the suggestion rewrites. A statement sharing its row with a brace of a longer body (`{ todo!()`
on the signature's row) leaves the function alone: no range of whole rows holds just the body.
Two one-line bodies on one row: the first is the hole (each suggestion rewrites the row).
The hole counts when one of its markers sits on an added line: a stub statement, or a TODO
comment among its rows.

Never holes: declarations without a body (interfaces, abstract and `extern` methods, trait
items, prototypes, overload signatures, `= default`, `= delete`), bodies that are an expression
rather than a block (`fun f() = TODO()`, `int F() => throw ...;`, Ruby's `def f = ...`), and
the members of an interface or trait that do have a body (Java and C# default methods, Rust
default methods, Kotlin interface members): like Python's Protocol members they are the
interface's defaults, meant to be overridden (the `kept` queries).

  MESSAGE      a @message capture counts only when its text, the quotes stripped, says the
               code is unfinished: this regular expression (case-insensitive, verbose: write
               white space as \s) matches it whole. "Not implemented",
               "Method not implemented." (TypeScript's quick fix), "Not yet implemented",
               "not implemented: X", "Not supported yet." (NetBeans), "unimplemented" (gopls),
               "implement me" (GoLand), "TODO..."; never a message that gives a reason
               ("not implemented on Windows", "remove").

Per language (the rows of ROWS):
  functions    node types of functions, methods, constructors, accessors and block lambdas
  body         child node types that hold the body, for grammars without a `body` field
               (Kotlin), or the function's own type when its braces are the body (a Kotlin
               lambda)
  unwrap       node types that only wrap the statements (Go's statement_list, Kotlin's block)
  skip         children of a body that belong to the signature (a Kotlin lambda's parameters)
  classes      node types whose name joins a hole's scope, with the functions ("Class.method");
               namespaces, packages and modules of files stay out, as in Python
  names        where the name of a scope node is when it has no `name` field: the fields whose
               identifiers join with "." (a Go method's receiver type, a Rust impl's type, a C
               function's declarator)
  indent       the indentation step of a body when the file has no indented line to learn it
               from (default: four spaces)
  kept         a query whose @kept captures are functions meant to stay as they are
  words        lower-case text that an idiom's first row holds when no message (`WORDS`)
               does: with those, the cheap test before parsing a file (the TODO tags are
               tested on their own)
  idioms       the stub statements: a tree-sitter query whose @stub capture is one statement,
               and the marker a hole made by it shows ("{name}" stands for the text of the
               capture @name). A statement is the idiom when the capture spans it (a trailing
               ";" aside). Every @zero capture must be a zero value of the language (`zeros`).
  returns      node types of a `return`; with `zeros`, the after-a-TODO rule: a `return` with
               no value or with only zero values (`zeros`: the value a declared variable of
               the type starts with, as written: 0, nil, NULL, nullptr, false, "", C++'s {},
               C#'s default) under a TODO comment of the same body is a stub statement, the
               placeholder a compiler demands (Eclipse's `// TODO Auto-generated method stub`
               + `return null;`); the TODO is its marker. Elsewhere it is finished code. Only
               languages whose compiler demands a value have the rule: Go, C, C++, Java, C#,
               TypeScript, Kotlin (not JavaScript, PHP, Ruby; Rust has todo!()). Not zero:
               -1 and other error codes, an `err` passed on (`return 0, err`), empty
               collections, Go's `T{}`.
"""

from __future__ import annotations

from typing import Any

MESSAGE: str = (
    r"(?:(?:method|function)\s+)?not\s+(?:yet\s+)?implemented(?:\s+yet)?[.!]*(?:\s*:.*)? "
    r"|not\s+supported\s+yet[.!]* "
    r"|unimplemented[.!]* "
    r"|implement\s+me[.!]* "
    r"|(?:todo|fixme)\b.*"
)

# What every message the regular expression above matches holds, and what todo!() and
# unimplemented!() hold.
WORDS: list[str] = ["implement", "supported yet", "todo", "fixme"]

# The rows other rows build on: TypeScript and TSX on JavaScript, C++ on C.
JAVASCRIPT: dict[str, Any] = {
    "functions": [
        "function_declaration",
        "function_expression",
        "generator_function_declaration",
        "generator_function",
        "method_definition",
        "arrow_function",
    ],
    "classes": ["class_declaration", "class"],
    "idioms": [
        {
            "marker": "{class}",
            "query": (
                "(throw_statement\n"
                "  [(new_expression constructor: (identifier) @class\n"
                "      arguments: (arguments . [(string) (template_string)] @message .))\n"
                "   (call_expression function: (identifier) @class\n"
                "      arguments: (arguments . [(string) (template_string)] @message .))]) @stub"
            ),
        },
    ],
}

TYPESCRIPT: dict[str, Any] = {
    **JAVASCRIPT,
    "classes": ["class_declaration", "class", "abstract_class_declaration"],
    "returns": ["return_statement"],
    "zeros": ["null", "undefined", "0", "false", '""', "''", "``"],
}

C: dict[str, Any] = {
    "functions": ["function_definition"],
    "names": {"function_definition": ["declarator"]},
    "idioms": [],
    "returns": ["return_statement"],
    "zeros": ["0", "0.0", "NULL", "false", "'\\0'"],
}

ROWS: dict[str, dict[str, Any]] = {
    "javascript": JAVASCRIPT,
    "typescript": TYPESCRIPT,
    "tsx": TYPESCRIPT,
    "java": {
        "functions": [
            "method_declaration",
            "constructor_declaration",
            "compact_constructor_declaration",
            "lambda_expression",
        ],
        "classes": [
            "class_declaration",
            "interface_declaration",
            "enum_declaration",
            "record_declaration",
            "enum_constant",
        ],
        "kept": "(interface_body (method_declaration) @kept)",
        "words": ["unsupportedoperationexception"],
        "idioms": [
            {
                "marker": "{class}",
                "query": (
                    "((throw_statement (object_creation_expression\n"
                    "    type: [(type_identifier) (scoped_type_identifier)] @class\n"
                    "    arguments: (argument_list) @arguments)) @stub\n"
                    ' (#match? @class "(^|[.])UnsupportedOperationException$")\n'
                    r' (#match? @arguments "^[(]\\s*[)]$"))'
                ),
            },
            {
                "marker": "{class}",
                "query": (
                    "(throw_statement (object_creation_expression\n"
                    "    type: [(type_identifier) (scoped_type_identifier)] @class\n"
                    "    arguments: (argument_list . (string_literal) @message .))) @stub"
                ),
            },
        ],
        "returns": ["return_statement"],
        "zeros": ["null", "0", "0L", "0.0", "0.0f", "0f", "false"],
    },
    "go": {
        "functions": ["function_declaration", "method_declaration", "func_literal"],
        "unwrap": ["statement_list", "expression_list"],  # expression_list: a return's values
        "names": {"method_declaration": ["receiver", "name"]},
        "indent": "\t",  # gofmt's
        "idioms": [
            {
                "marker": "panic()",
                "query": (
                    "((call_expression function: (identifier) @function\n"
                    "    arguments: (argument_list\n"
                    "      . [(interpreted_string_literal) (raw_string_literal)] "
                    "@message .)) @stub\n"
                    ' (#eq? @function "panic"))'
                ),
            },
            # `return nil, errors.New("not implemented")`: the error is the
            # last value, zeros before it
            {
                "marker": "{function}()",
                "query": (
                    "((return_statement (expression_list\n"
                    "    (_)* @zero\n"
                    "    . (call_expression function: (selector_expression) @function\n"
                    "        arguments: (argument_list\n"
                    "          . [(interpreted_string_literal) (raw_string_literal)] "
                    "@message .)) .)) @stub\n"
                    ' (#match? @function "^(errors[.]New|fmt[.]Errorf)$"))'
                ),
            },
        ],
        "returns": ["return_statement"],
        "zeros": ["nil", "0", "0.0", '""', "``", "false"],
    },
    "rust": {
        "functions": ["function_item", "closure_expression"],
        "classes": ["impl_item", "trait_item"],
        "names": {"impl_item": ["type"]},
        "kept": "(trait_item body: (declaration_list (function_item) @kept))",
        "idioms": [
            {
                "marker": "todo!()",
                "query": '((macro_invocation macro: (identifier) @name) @stub (#eq? @name "todo"))',
            },
            {
                "marker": "unimplemented!()",
                "query": (
                    "((macro_invocation macro: (identifier) @name) @stub "
                    '(#eq? @name "unimplemented"))'
                ),
            },
            {
                "marker": "panic!()",
                "query": (
                    "((macro_invocation macro: (identifier) @name\n"
                    "    (token_tree . (string_literal) @message .)) @stub\n"
                    ' (#eq? @name "panic"))'
                ),
            },
        ],
    },
    "c": C,
    "cpp": {
        **C,
        "functions": ["function_definition", "lambda_expression"],
        "classes": ["class_specifier", "struct_specifier", "union_specifier"],
        "idioms": [
            # `throw std::logic_error("not implemented")`, `throw std::runtime_error("TODO")`
            {
                "marker": "{class}",
                "query": (
                    "(throw_statement (call_expression function: (_) @class\n"
                    "    arguments: (argument_list . (string_literal) @message .))) @stub"
                ),
            },
        ],
        "zeros": ["0", "0.0", "NULL", "nullptr", "false", "{}", "'\\0'"],
    },
    "csharp": {
        "functions": [
            "method_declaration",
            "constructor_declaration",
            "destructor_declaration",
            "operator_declaration",
            "conversion_operator_declaration",
            "accessor_declaration",
            "local_function_statement",
            "lambda_expression",
            "anonymous_method_expression",
        ],
        "classes": [
            "class_declaration",
            "struct_declaration",
            "interface_declaration",
            "record_declaration",
            "property_declaration",
            "indexer_declaration",
            "event_declaration",
        ],
        "kept": (
            "(interface_declaration body: (declaration_list [\n"
            "    (method_declaration) @kept\n"
            "    (property_declaration (accessor_list (accessor_declaration) @kept))\n"
            "    (indexer_declaration (accessor_list (accessor_declaration) @kept))]))"
        ),
        "words": ["notimplementedexception"],
        "idioms": [
            {
                "marker": "{class}",
                "query": (
                    "((throw_statement (object_creation_expression\n"
                    "    type: [(identifier) (qualified_name)] @class)) @stub\n"
                    ' (#match? @class "(^|[.])NotImplementedException$"))'
                ),
            },
            {
                "marker": "{class}",
                "query": (
                    "(throw_statement (object_creation_expression\n"
                    "    type: [(identifier) (qualified_name)] @class\n"
                    "    arguments: (argument_list . (argument\n"
                    "      [(string_literal) (verbatim_string_literal) (raw_string_literal)] "
                    "@message) .)))\n"
                    "@stub"
                ),
            },
        ],
        "returns": ["return_statement"],
        "zeros": ["null", "0", "0L", "0.0", "0f", "false", "default"],
    },
    "kotlin": {
        "functions": [
            "function_declaration",
            "secondary_constructor",
            "anonymous_initializer",
            "getter",
            "setter",
            "anonymous_function",
            "lambda_literal",
        ],
        "body": ["function_body", "block", "lambda_literal"],
        "unwrap": ["function_body", "block", "statements"],
        "skip": ["lambda_parameters"],
        "classes": ["class_declaration", "object_declaration", "companion_object"],
        "kept": '((class_declaration "interface" (class_body (function_declaration) @kept)))',
        "words": ["notimplementederror", "unsupportedoperationexception"],
        "idioms": [
            {
                "marker": "TODO()",
                "query": (
                    '((call_expression . (identifier) @function) @stub (#eq? @function "TODO"))'
                ),
            },
            {
                "marker": "{class}",
                "query": (
                    "((throw_expression (call_expression . (identifier) @class)) @stub\n"
                    ' (#eq? @class "NotImplementedError"))'
                ),
            },
            {
                "marker": "{class}",
                "query": (
                    "((throw_expression (call_expression . (identifier) @class\n"
                    "    (value_arguments) @arguments)) @stub\n"
                    ' (#eq? @class "UnsupportedOperationException")\n'
                    r' (#match? @arguments "^[(]\\s*[)]$"))'
                ),
            },
            {
                "marker": "{class}",
                "query": (
                    "(throw_expression (call_expression . (identifier) @class\n"
                    "    (value_arguments . (value_argument (string_literal) @message) .))) @stub"
                ),
            },
        ],
        "returns": ["return_expression"],
        "zeros": ["null", "0", "0L", "0.0", "0f", "false", '""'],
    },
    "php": {
        "functions": ["function_definition", "method_declaration", "anonymous_function"],
        "classes": [
            "class_declaration",
            "interface_declaration",
            "trait_declaration",
            "enum_declaration",
        ],
        "idioms": [
            # `throw new \Exception('Not implemented')`, `\RuntimeException`,
            # `\BadMethodCallException`
            {
                "marker": "{class}",
                "query": (
                    "(expression_statement (throw_expression (object_creation_expression\n"
                    "    [(name) (qualified_name)] @class\n"
                    "    (arguments . (argument [(string) (encapsed_string)] @message) .)))) @stub"
                ),
            },
        ],
    },
    "ruby": {
        "functions": ["method", "singleton_method"],
        "classes": ["class", "module", "singleton_class"],
        "words": ["notimplementederror"],
        "idioms": [
            # `raise NotImplementedError`, with or without a message
            {
                "marker": "{class}",
                "query": (
                    "((call method: (identifier) @raise "
                    "arguments: (argument_list . (constant) @class))\n"
                    " @stub\n"
                    ' (#match? @raise "^(raise|fail)$") (#eq? @class "NotImplementedError"))'
                ),
            },
            {
                "marker": "{class}",
                "query": (
                    "((call method: (identifier) @raise arguments: (argument_list\n"
                    "    . (call receiver: (constant) @class method: (identifier) @new))) @stub\n"
                    ' (#match? @raise "^(raise|fail)$") (#eq? @class "NotImplementedError")\n'
                    ' (#eq? @new "new"))'
                ),
            },
            # `raise "not implemented"`
            {
                "marker": "{raise}",
                "query": (
                    "((call method: (identifier) @raise "
                    "arguments: (argument_list . (string) @message .))\n"
                    " @stub\n"
                    ' (#match? @raise "^(raise|fail)$"))'
                ),
            },
        ],
    },
}
