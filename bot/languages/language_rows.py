r"""The languages fim-bot reads: how to tell them by name, their comment and string syntax, and,
where an official tree-sitter grammar wheel is installed, the grammar that reads their code.
A data table, read by bot/languages/table.py; every key but `extensions` may be left out.
Where a grammar is installed its comment nodes decide what is a comment; elsewhere the lexer
(bot/languages/lexer.py) reads these keys, and it also reads fragments of code in every
language.

  extensions  file name endings, lower case ("Makefile" style names go in `names`)
  names       whole file names (exact case); a "*" matches anything ("Dockerfile.*")
  line        line comment openers
  line_after  line comments open only at a line's start or after one of these characters
              (shell: `a#b` and `${#x}` are not comments)
  block       block comments, [open, close]
  nested      block comments nest (Rust, Swift, Kotlin, Haskell, ...)
  doc         openers of doc comments: a TODO inside one is documentation, not a hole
  strings     string delimiters with escapes that end at the line's end when left open
  long        like `strings`, but they may span lines (template literals, triple quotes)
  quotes      strings without escapes (a doubled closer stands for itself: 'it''s') that end
              at the line's end when left open
  raw         like `quotes`, but they may span lines (Go's backquotes, shell's '...')
  escape      the escape character of `strings` and `long` ("\" unless given)
  heredoc     heredoc openers: the word after one (bare or quoted) ends a string that runs
              from the next line to the line holding only that word
  code        text that opens nothing although it holds an opener (character literals such
              as Lisp's #\" and Erlang's $%, PHP's #[ attributes)
  chars       openers of character literals (True: "'"), which count only when they close
              within a character or an escape ('a', '\n') and follow no letter or digit:
              elsewhere they are code (Rust lifetimes, ML type variables, Haskell's foldl')
  grammar     module:function of the tree-sitter grammar wheel that returns the language
  block_end   the text that closes a block at its opener's indentation ("}" or "end"): the
              prompt's stop sequence and the clean-up's structural end of a fill

The openers and closers of `line`, `block`, `strings`, `long`, `quotes`, `raw` and `heredoc`
are templates: an item is an opener that closes with itself, or an [open, close] pair.
  ^         (first) only at the start of a line, after blanks
  {=}       a run of "=" (any one character), maybe empty; {#+} a run of at least one "#";
            { } a run of blanks. The closer repeats the opener's run: --[==[ ... ]==]
  {id}      a name, maybe empty ($tag$ ... $tag$); {delim} a C++ raw-string delimiter
  {eol}     (last) nothing but blanks follows on the line
An opener that begins (ends) with a letter or digit must not follow (precede) one: the
string prefix r" is not the end of `bar"`, REM is not REMARK.
"""

from __future__ import annotations

from typing import Any

ROWS: dict[str, dict[str, Any]] = {
    "python": {
        "extensions": [".py", ".pyi", ".pyw"],
        "line": ["#"],
        "strings": ['"', "'"],
        "long": ['"""', "'''"],
    },
    "javascript": {
        "extensions": [".js", ".mjs", ".cjs", ".jsx"],
        "line": ["//"],
        "block": [["/*", "*/"]],
        "doc": ["/**"],
        "strings": ['"', "'"],
        "long": ["`"],
        "grammar": "tree_sitter_javascript:language",
        "block_end": "}",
    },
    "typescript": {
        "extensions": [".ts", ".mts", ".cts"],
        "line": ["//"],
        "block": [["/*", "*/"]],
        "doc": ["/**"],
        "strings": ['"', "'"],
        "long": ["`"],
        "grammar": "tree_sitter_typescript:language_typescript",
        "block_end": "}",
    },
    "tsx": {
        "extensions": [".tsx"],
        "line": ["//"],
        "block": [["/*", "*/"]],
        "doc": ["/**"],
        "strings": ['"', "'"],
        "long": ["`"],
        "grammar": "tree_sitter_typescript:language_tsx",
        "block_end": "}",
    },
    "java": {
        "extensions": [".java"],
        "line": ["//"],
        "block": [["/*", "*/"]],
        "doc": ["/**"],
        "strings": ['"'],
        "long": ['"""'],
        "chars": True,
        "grammar": "tree_sitter_java:language",
        "block_end": "}",
    },
    "go": {
        "extensions": [".go"],
        "line": ["//"],
        "block": [["/*", "*/"]],
        "strings": ['"'],
        "raw": ["`"],
        "chars": True,
        "grammar": "tree_sitter_go:language",
        "block_end": "}",
    },
    "rust": {
        "extensions": [".rs"],
        "line": ["//"],
        "block": [["/*", "*/"]],
        "nested": True,
        "doc": ["///", "//!", "/**", "/*!"],
        "long": ['"'],
        "raw": [['r{#}"', '"{#}'], ['br{#}"', '"{#}'], ['cr{#}"', '"{#}']],
        "chars": ["'", "b'"],
        "grammar": "tree_sitter_rust:language",
        "block_end": "}",
    },
    "c": {
        "extensions": [".c", ".h"],
        "line": ["//"],
        "block": [["/*", "*/"]],
        "doc": ["/**", "///"],
        "strings": ['"'],
        "chars": ["'", "L'", "u'", "U'", "u8'"],
        "grammar": "tree_sitter_c:language",
        "block_end": "}",
    },
    "cpp": {
        "extensions": [
            ".cc",
            ".cpp",
            ".cxx",
            ".c++",
            ".hh",
            ".hpp",
            ".hxx",
            ".h++",
            ".ipp",
            ".inl",
        ],
        "line": ["//"],
        "block": [["/*", "*/"]],
        "doc": ["/**", "///"],
        "strings": ['"'],
        "raw": [
            ['R"{delim}(', '){delim}"'],
            ['u8R"{delim}(', '){delim}"'],
            ['uR"{delim}(', '){delim}"'],
            ['UR"{delim}(', '){delim}"'],
            ['LR"{delim}(', '){delim}"'],
        ],
        "chars": ["'", "L'", "u'", "U'", "u8'"],
        "grammar": "tree_sitter_cpp:language",
        "block_end": "}",
    },
    "csharp": {
        "extensions": [".cs"],
        "line": ["//"],
        "block": [["/*", "*/"]],
        "doc": ["///", "/**"],
        "strings": ['"'],
        # Verbatim strings ("" is a quote, no escapes) and raw strings of three quotes or more.
        "raw": [['@"', '"'], ['$@"', '"'], ['@$"', '"'], '"""{"}'],
        "chars": True,
        "grammar": "tree_sitter_c_sharp:language",
        "block_end": "}",
    },
    "kotlin": {
        "extensions": [".kt", ".kts"],
        "line": ["//"],
        "block": [["/*", "*/"]],
        "nested": True,
        "doc": ["/**"],
        "strings": ['"'],
        "raw": ['"""'],
        "chars": True,
        "grammar": "tree_sitter_kotlin:language",
        "block_end": "}",
    },
    "php": {
        "extensions": [".php", ".phtml"],
        "line": ["//", "#"],
        "block": [["/*", "*/"]],
        "doc": ["/**"],
        "long": ['"', "'", "`"],
        "heredoc": ["<<<{ }"],
        "code": ["#["],  # an attribute, not a comment
        "grammar": "tree_sitter_php:language_php",
        "block_end": "}",
    },
    "ruby": {
        "extensions": [".rb", ".rake", ".gemspec", ".ru", ".podspec", ".thor"],
        "names": [
            "Rakefile",
            "Gemfile",
            "Guardfile",
            "Vagrantfile",
            "Podfile",
            "Fastfile",
            "Brewfile",
            "Capfile",
        ],
        "line": ["#"],
        "block": [["^=begin", "^=end"]],
        "long": ['"', "'", "`"],
        "heredoc": ["<<~", "<<-", "<<"],
        "grammar": "tree_sitter_ruby:language",
        "block_end": "end",
    },
    "shell": {
        "extensions": [".sh", ".bash", ".zsh", ".ksh"],
        "names": [
            ".bashrc",
            ".bash_profile",
            ".bash_aliases",
            ".bash_logout",
            ".zshrc",
            ".zshenv",
            ".zprofile",
            ".profile",
            ".envrc",
            "PKGBUILD",
        ],
        "line": ["#"],
        "line_after": " \t;&|()<>",
        "long": ['"', ["$'", "'"], "`"],
        "raw": ["'"],
        "heredoc": ["<<-{ }", "<<{ }"],
        "code": ["\\\\", '\\"', "\\'", "\\#", "\\`", "<<<"],
    },
    "fish": {
        "extensions": [".fish"],
        "line": ["#"],
        "line_after": " \t;&|()<>",
        "long": ['"', "'"],
        "code": ["\\\\", '\\"', "\\'", "\\#"],
        "block_end": "end",
    },
    "powershell": {
        "extensions": [".ps1", ".psm1", ".psd1"],
        "line": ["#"],
        "block": [["<#", "#>"]],
        "escape": "`",
        "long": ['"'],
        "raw": ["'", ['@"', '^"@'], ["@'", "^'@"]],
        "code": ["``", '`"', "`'", "`#"],  # escaped outside strings
        "block_end": "}",
    },
    "batch": {
        "extensions": [".bat", ".cmd"],
        "line": ["^REM", "^rem", "^Rem", "^@REM", "^@rem", "^::"],
        "quotes": ['"'],
    },
    "swift": {
        "extensions": [".swift"],
        "line": ["//"],
        "block": [["/*", "*/"]],
        "nested": True,
        "doc": ["///", "/**"],
        "strings": ['"'],
        "long": ['"""'],
        "raw": [['{#+}"', '"{#+}']],  # #"...\"..."#: no escapes but \#(...), which closes nothing
        "block_end": "}",
    },
    "objective-c": {
        # ".m" is MATLAB's: a file name alone cannot tell them apart.
        "extensions": [".mm"],
        "line": ["//"],
        "block": [["/*", "*/"]],
        "doc": ["/**", "///"],
        "strings": ['"'],
        "chars": True,
        "block_end": "}",
    },
    "scala": {
        "extensions": [".scala", ".sc", ".sbt"],
        "line": ["//"],
        "block": [["/*", "*/"]],
        "nested": True,
        "doc": ["/**"],
        "strings": ['"'],
        "raw": ['"""'],
        "chars": True,
        "block_end": "}",
    },
    "groovy": {
        "extensions": [".groovy", ".gvy", ".gradle"],
        "names": ["Jenkinsfile", "Jenkinsfile.*"],
        "line": ["//"],
        "block": [["/*", "*/"]],
        "doc": ["/**"],
        "strings": ['"', "'"],
        "long": ['"""', "'''"],
        "raw": [["$/", "/$"]],
        "block_end": "}",
    },
    "dart": {
        "extensions": [".dart"],
        "line": ["//"],
        "block": [["/*", "*/"]],
        "nested": True,
        "doc": ["///", "/**"],
        "strings": ['"', "'"],
        "long": ['"""', "'''"],
        "quotes": [['r"', '"'], ["r'", "'"]],
        "raw": [['r"""', '"""'], ["r'''", "'''"]],
        "block_end": "}",
    },
    "d": {
        "extensions": [".d", ".di"],
        "line": ["//"],
        "block": [["/*", "*/"], ["/+", "+/"]],
        "doc": ["///", "/**", "/++"],
        "long": ['"'],
        "raw": ["`", ['r"', '"']],
        "chars": True,
        "block_end": "}",
    },
    "zig": {
        "extensions": [".zig", ".zon"],
        "line": ["//"],
        "doc": ["///", "//!"],
        "strings": ['"'],
        "quotes": [["\\\\", ""]],  # a line of a multi-line string literal
        "chars": True,
        "block_end": "}",
    },
    "solidity": {
        "extensions": [".sol"],
        "line": ["//"],
        "block": [["/*", "*/"]],
        "doc": ["///", "/**"],
        "strings": ['"', "'"],
        "block_end": "}",
    },
    "protobuf": {
        "extensions": [".proto"],
        "line": ["//"],
        "block": [["/*", "*/"]],
        "strings": ['"', "'"],
        "block_end": "}",
    },
    "jsonc": {
        "extensions": [".jsonc", ".json5"],
        "names": [
            "tsconfig.json",
            "jsconfig.json",
            "devcontainer.json",
            ".devcontainer.json",
            ".babelrc",
        ],
        "line": ["//"],
        "block": [["/*", "*/"]],
        "strings": ['"', "'"],
    },
    "jsonnet": {
        "extensions": [".jsonnet", ".libsonnet"],
        "line": ["//", "#"],
        "block": [["/*", "*/"]],
        "strings": ['"', "'"],
        "raw": ["|||", ['@"', '"'], ["@'", "'"]],
        "block_end": "}",
    },
    "lua": {
        "extensions": [".lua", ".rockspec", ".luau"],
        "line": ["--"],
        "block": [["--[{=}[", "]{=}]"]],
        "doc": ["---"],
        "strings": ['"', "'"],
        "raw": [["[{=}[", "]{=}]"]],
        "block_end": "end",
    },
    "perl": {
        "extensions": [".pl", ".pm", ".t", ".psgi"],
        "names": ["cpanfile"],
        "line": ["#"],
        "long": ['"', "'", "`"],
        "heredoc": ["<<~", "<<"],
        "code": ["$#"],  # the last index of an array: $#list
        "block_end": "}",
    },
    "r": {
        "extensions": [".r", ".rprofile"],
        "names": [".Rprofile"],
        "line": ["#"],
        "doc": ["#'"],
        "long": ['"', "'"],
        "quotes": ["`"],
        # Raw strings: r"(...)", R'[...]', r"---{...}---" and the like.
        "raw": [
            ['r"{-}(', '){-}"'],
            ['r"{-}[', ']{-}"'],
            ['r"{-}{', '}{-}"'],
            ["r'{-}(", ")'{-}"],
            ["r'{-}[", "]{-}'"],
            ["r'{-}{", "}{-}'"],
            ['R"{-}(', '){-}"'],
            ['R"{-}[', ']{-}"'],
            ['R"{-}{', '}{-}"'],
            ["R'{-}(", "){-}'"],
            ["R'{-}[", "]{-}'"],
            ["R'{-}{", "}{-}'"],
        ],
        "block_end": "}",
    },
    "julia": {
        "extensions": [".jl"],
        "line": ["#"],
        "block": [["#=", "=#"]],
        "nested": True,
        "long": ['"', '"""', "`"],
        "chars": True,
        "block_end": "end",
    },
    "matlab": {
        "extensions": [".m"],
        "line": ["%", "..."],  # what follows a continuation "..." is a comment
        "block": [["^%{{eol}", "^%}{eol}"]],  # alone on their lines
        "quotes": ['"', "'"],
        "block_end": "end",
    },
    "fortran": {
        "extensions": [".f90", ".f95", ".f03", ".f08", ".f18", ".f", ".for", ".fpp"],
        "line": ["!"],
        "quotes": ['"', "'"],
    },
    "haskell": {
        "extensions": [".hs", ".hsc", ".hs-boot"],
        "line": ["--"],
        "block": [["{-", "-}"]],
        "nested": True,
        "doc": ["-- |", "-- ^", "-- $", "{-|", "{- |", "{-^", "{- ^"],
        "strings": ['"'],
        "chars": True,
    },
    "elm": {
        "extensions": [".elm"],
        "line": ["--"],
        "block": [["{-", "-}"]],
        "nested": True,
        "doc": ["{-|"],
        "strings": ['"'],
        "long": ['"""'],
        "chars": True,
    },
    "ocaml": {
        "extensions": [".ml", ".mli"],
        "block": [["(*", "*)"]],
        "nested": True,
        "doc": ["(**"],
        "long": ['"'],
        "raw": [["{{id}|", "|{id}}"]],  # quoted strings: {|...|}, {sql|...|sql}
        "chars": True,
    },
    "fsharp": {
        "extensions": [".fs", ".fsi", ".fsx"],
        "line": ["//"],
        "block": [["(*", "*)"]],
        "nested": True,
        "doc": ["///", "(**"],
        "long": ['"'],
        "raw": ['"""', ['@"', '"']],
        "code": ["(*)"],  # the multiplication operator
        "chars": True,
    },
    "elixir": {
        "extensions": [".ex", ".exs"],
        "line": ["#"],
        "long": ['"', "'", '"""', "'''"],
        "code": ["?\\\\", '?\\"', "?\\'", "?#", '?"', "?'"],  # character literals
        "block_end": "end",
    },
    "erlang": {
        "extensions": [".erl", ".hrl", ".escript", ".app.src"],
        "names": ["rebar.config", "sys.config"],
        "line": ["%"],
        "long": ['"', "'", '"""'],
        "code": ["$\\\\", '$\\"', "$\\'", '$"', "$'", "$%"],  # character literals
        "block_end": "end",
    },
    "clojure": {
        "extensions": [".clj", ".cljs", ".cljc", ".edn", ".bb"],
        "line": [";"],
        "long": ['"'],
        "code": ["\\\\", '\\"', "\\;"],  # character literals
    },
    "common-lisp": {
        "extensions": [".lisp", ".lsp", ".asd"],
        "line": [";"],
        "block": [["#|", "|#"]],
        "nested": True,
        "long": ['"'],
        "code": ["#\\\\", '#\\"', "#\\;", "#\\|"],  # character literals
    },
    "scheme": {
        "extensions": [".scm", ".ss", ".sld", ".sls", ".rkt"],
        "line": [";"],
        "block": [["#|", "|#"]],
        "nested": True,
        "long": ['"'],
        "code": ["#\\\\", '#\\"', "#\\;", "#\\|"],  # character literals
    },
    "emacs-lisp": {
        "extensions": [".el"],
        "names": [".emacs"],
        "line": [";"],
        "long": ['"'],
        # character literals, escaped symbols
        "code": ["?\\\\", '?\\"', "?\\;", '?"', "?;", '\\"', "\\;"],
    },
    "nim": {
        "extensions": [".nim", ".nims", ".nimble"],
        "line": ["#"],
        "block": [["#[", "]#"], ["##[", "]##"]],
        "nested": True,
        "doc": ["##"],
        "strings": ['"'],
        "quotes": [['r"', '"']],
        "raw": ['"""'],
        "chars": True,
    },
    "sql": {
        "extensions": [".sql", ".ddl", ".psql", ".pgsql", ".plsql"],
        "line": ["--"],
        "block": [["/*", "*/"]],
        "long": [["E'", "'"], ["e'", "'"]],  # PostgreSQL's strings with escapes
        "raw": ["'", '"', "`", ["${id}$", "${id}$"]],
    },
    "graphql": {
        "extensions": [".graphql", ".gql", ".graphqls"],
        "line": ["#"],
        "strings": ['"'],
        "long": ['"""'],
        "block_end": "}",
    },
    "html": {
        "extensions": [".html", ".htm", ".xhtml"],
        "block": [["<!--", "-->"]],
    },
    "xml": {
        "extensions": [
            ".xml",
            ".xsd",
            ".xsl",
            ".xslt",
            ".svg",
            ".plist",
            ".csproj",
            ".fsproj",
            ".vbproj",
            ".props",
            ".targets",
            ".xaml",
            ".resx",
            ".wsdl",
            ".xib",
            ".storyboard",
        ],
        "block": [["<!--", "-->"]],
        "raw": [["<![CDATA[", "]]>"]],
    },
    "vue": {
        "extensions": [".vue"],
        "line": ["//"],
        "block": [["<!--", "-->"], ["/*", "*/"]],
        "doc": ["/**"],
        "strings": ['"', "'"],
        "long": ["`"],
        "block_end": "}",
    },
    "svelte": {
        "extensions": [".svelte", ".astro"],
        "line": ["//"],
        "block": [["<!--", "-->"], ["/*", "*/"]],
        "doc": ["/**"],
        "strings": ['"', "'"],
        "long": ["`"],
        "block_end": "}",
    },
    "css": {
        "extensions": [".css"],
        "block": [["/*", "*/"]],
        "strings": ['"', "'"],
        "block_end": "}",
    },
    "scss": {
        "extensions": [".scss"],
        "line": ["//"],
        "block": [["/*", "*/"]],
        "doc": ["///"],
        "strings": ['"', "'"],
        "block_end": "}",
    },
    "less": {
        "extensions": [".less"],
        "line": ["//"],
        "block": [["/*", "*/"]],
        "strings": ['"', "'"],
        "block_end": "}",
    },
    "yaml": {
        "extensions": [".yml", ".yaml"],
        "names": [".clang-format", ".clang-tidy"],
        "line": ["#"],
        "line_after": " \t",
        "strings": ['"'],
        "quotes": ["'"],
    },
    "toml": {
        "extensions": [".toml"],
        "names": ["Pipfile"],
        "line": ["#"],
        "strings": ['"'],
        "long": ['"""'],
        "quotes": ["'"],
        "raw": ["'''"],
    },
    "ini": {
        "extensions": [".ini", ".cfg"],
        "names": [".editorconfig", ".gitconfig", ".flake8", ".pylintrc", ".npmrc", ".coveragerc"],
        "line": ["^;", "^#"],
    },
    "dockerfile": {
        "extensions": [".dockerfile", ".containerfile"],
        "names": ["Dockerfile", "Containerfile", "Dockerfile.*", "Containerfile.*"],
        "line": ["^#"],
        "strings": ['"', "'"],
        "heredoc": ["<<-", "<<"],
    },
    "make": {
        "extensions": [".mk", ".mak", ".make"],
        "names": ["Makefile", "makefile", "GNUmakefile", "Makefile.*"],
        "line": ["#"],
        "code": ["\\#"],
    },
    "cmake": {
        "extensions": [".cmake"],
        "names": ["CMakeLists.txt"],
        "line": ["#"],
        "block": [["#[{=}[", "]{=}]"]],
        "long": ['"'],
        "raw": [["[{=}[", "]{=}]"]],
    },
    "starlark": {
        "extensions": [".bzl", ".star", ".bazel"],
        "names": ["BUILD", "WORKSPACE", "BUCK", "Tiltfile"],
        "line": ["#"],
        "strings": ['"', "'"],
        "long": ['"""', "'''"],
    },
    "hcl": {
        "extensions": [".tf", ".tfvars", ".hcl", ".nomad"],
        "line": ["#", "//"],
        "block": [["/*", "*/"]],
        "strings": ['"'],
        "heredoc": ["<<-", "<<"],
        "block_end": "}",
    },
    "nix": {
        "extensions": [".nix"],
        "line": ["#"],
        "block": [["/*", "*/"]],
        "long": ['"'],
        "raw": ["''"],
        "block_end": "}",
    },
    "vim": {
        "extensions": [".vim"],
        "names": [".vimrc", "_vimrc", ".gvimrc", ".exrc"],
        "line": ['^"', "#"],  # "#" in Vim9 script; foo#bar() names an autoload function
        "line_after": " \t",
        "strings": ['"'],
        "quotes": ["'"],
    },
    "awk": {
        "extensions": [".awk"],
        "line": ["#"],
        "strings": ['"'],
        "block_end": "}",
    },
    "visual-basic": {
        "extensions": [".vb", ".vbs"],
        "line": ["'", "^REM", "^Rem", "^rem"],
        "doc": ["'''"],
        "quotes": ['"'],
    },
    "pascal": {
        "extensions": [".pas", ".dpr", ".lpr", ".dpk"],
        "line": ["//"],
        "block": [["{", "}"], ["(*", "*)"]],
        "quotes": ["'"],
        "block_end": "end",
    },
    "ada": {
        "extensions": [".adb", ".ads", ".ada"],
        "line": ["--"],
        "quotes": ['"'],
        "chars": True,
    },
    "verilog": {
        "extensions": [".v", ".vh", ".sv", ".svh"],
        "line": ["//"],
        "block": [["/*", "*/"]],
        "strings": ['"'],
        "block_end": "end",
    },
    "vhdl": {
        "extensions": [".vhd", ".vhdl"],
        "line": ["--"],
        "block": [["/*", "*/"]],
        "quotes": ['"'],
        "chars": True,
    },
}
