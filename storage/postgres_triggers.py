"""SQLite triggers and SQLite-only expressions, rewritten for PostgreSQL (storage.postgres_schema).

A SQLite trigger `CREATE TRIGGER t AFTER UPDATE OF a ON x WHEN c BEGIN s1; s2; END` becomes a
plpgsql function `t_fn()` running s1 and s2 and returning NULL, and a row-level trigger
`CREATE TRIGGER t AFTER UPDATE OF a ON x FOR EACH ROW WHEN (c) EXECUTE FUNCTION t_fn()`.
Inside, SQLite's null-safe `IS [NOT]`, its scalar max/min, ifnull, iif, group_concat, sums of
comparisons and `INSERT OR REPLACE/IGNORE` are rewritten to their PostgreSQL spellings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

# The conflict target `INSERT OR REPLACE INTO <table>` becomes ON CONFLICT on: the table's
# primary key (its only unique constraint, so replacing a row is updating it).
CONFLICT_KEYS: Mapping[str, tuple[str, ...]] = {
    "match_pool": ("neighbourhood_id", "category", "person_id"),
}

_TRIGGER = re.compile(
    r"^CREATE\s+TRIGGER\s+(?P<name>\w+)\s+(?P<timing>BEFORE|AFTER)\s+"
    r"(?P<event>INSERT|DELETE|UPDATE(?:\s+OF\s+[\w\s,]+?)?)\s+ON\s+(?P<table>\w+)\s+"
    r"(?:FOR\s+EACH\s+ROW\s+)?(?:WHEN\s+(?P<when>.+?)\s+)?BEGIN\s+(?P<body>.*)\bEND\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_IS_NOT = re.compile(r"\bIS\s+NOT\s+(?!NULL\b|TRUE\b|FALSE\b|DISTINCT\b)", re.IGNORECASE)
_IS = re.compile(r"\bIS\s+(?!NOT\b|NULL\b|TRUE\b|FALSE\b|DISTINCT\b)", re.IGNORECASE)
_CALL = re.compile(r"\b(max|min|ifnull|iif|group_concat|sum|avg|total)\s*\(", re.IGNORECASE)
_COMPARISON = re.compile(r"[=<>]|\b(IS|IN|LIKE|GLOB|BETWEEN|AND|OR|NOT)\b", re.IGNORECASE)
_INSERT_OR = re.compile(
    r"^(\s*)INSERT\s+OR\s+(?P<mode>REPLACE|IGNORE)\s+INTO\s+(?P<table>\w+)\s*(?P<cols>\([^)]*\))?",
    re.IGNORECASE,
)


def _quoted_spans(sql: str) -> list[tuple[int, int]]:
    """The [start, end) spans of the single-quoted literals and double-quoted names in sql."""
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(sql):
        quote = sql[index]
        if quote in "'\"":
            end = index + 1
            while end < len(sql):
                if sql[end] == quote:
                    if end + 1 < len(sql) and sql[end + 1] == quote:
                        end += 2
                        continue
                    break
                end += 1
            spans.append((index, end + 1))
            index = end + 1
        else:
            index += 1
    return spans


def _map_unquoted(sql: str, change: Callable[[str], str]) -> str:
    """The sql with `change` applied to each stretch outside quotes, the quoted parts kept."""
    parts: list[str] = []
    position = 0
    for start, end in _quoted_spans(sql):
        parts += [change(sql[position:start]), sql[start:end]]
        position = end
    parts.append(change(sql[position:]))
    return "".join(parts)


def _blank_quotes(sql: str) -> str:
    """The sql with every quoted stretch replaced by spaces (same length), to scan structure."""
    chars = list(sql)
    for start, end in _quoted_spans(sql):
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def strip_comments(sql: str) -> str:
    """The sql without its `--` comments (a quote inside a comment opens nothing)."""
    kept: list[str] = []
    index, quote = 0, ""
    while index < len(sql):
        char = sql[index]
        if quote:
            quote = "" if char == quote else quote  # a doubled quote closes and reopens
        elif char in "'\"":
            quote = char
        elif sql.startswith("--", index):
            end = sql.find("\n", index)
            index = len(sql) if end == -1 else end
            continue
        kept.append(char)
        index += 1
    return "".join(kept)


def collapse_whitespace(sql: str) -> str:
    """The sql with each run of whitespace outside quotes made one space, and trimmed."""
    return _map_unquoted(sql, lambda part: re.sub(r"\s+", " ", part)).strip()


def split_statements(body: str) -> list[str]:
    """The `;`-separated statements of a trigger body (semicolons inside quotes kept)."""
    plain = _blank_quotes(body)
    statements: list[str] = []
    start = 0
    for index, char in enumerate(plain):
        if char == ";":
            statements.append(body[start:index].strip())
            start = index + 1
    statements.append(body[start:].strip())
    return [statement for statement in statements if statement]


def _closing_paren(plain: str, open_index: int) -> int:
    """The index of the parenthesis closing the one at open_index (quotes already blanked)."""
    depth = 0
    for index in range(open_index, len(plain)):
        if plain[index] == "(":
            depth += 1
        elif plain[index] == ")":
            depth -= 1
            if depth == 0:
                return index
    raise ValueError(f"unbalanced parentheses in: {plain}")


def _top_level_args(args: str) -> list[str]:
    """A call's arguments, split at the commas outside parentheses and quotes."""
    plain = _blank_quotes(args)
    parts: list[str] = []
    depth = start = 0
    for index, char in enumerate(plain):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(args[start:index].strip())
            start = index + 1
    parts.append(args[start:].strip())
    return parts


def _is_condition(arg: str) -> bool:
    """Whether an expression is a comparison (a boolean on PostgreSQL, 0 or 1 on SQLite)."""
    outer, previous = _blank_quotes(arg), ""
    while outer != previous:  # blank nested parentheses, innermost first
        outer, previous = re.sub(r"\([^()]*\)", " ", outer), outer
    return re.search(r"\bCASE\b", outer, re.IGNORECASE) is None and bool(_COMPARISON.search(outer))


def _rewrite_call(name: str, args: list[str]) -> str | None:
    """The PostgreSQL spelling of one SQLite call, or None to keep it as it is."""
    name = name.lower()
    if name in ("max", "min") and len(args) >= 2:
        return f"{'GREATEST' if name == 'max' else 'LEAST'}({', '.join(args)})"
    if name == "ifnull":
        return f"COALESCE({', '.join(args)})"
    if name == "iif" and len(args) == 3:
        return f"CASE WHEN {args[0]} THEN {args[1]} ELSE {args[2]} END"
    if name == "group_concat":
        distinct = re.match(r"(?i)DISTINCT\s+", args[0])
        value = args[0][distinct.end() :] if distinct else args[0]
        separator = args[1] if len(args) > 1 else "','"
        return f"string_agg({'DISTINCT ' if distinct else ''}CAST({value} AS TEXT), {separator})"
    if name in ("sum", "avg", "total") and len(args) == 1:
        value = f"CASE WHEN {args[0]} THEN 1 ELSE 0 END" if _is_condition(args[0]) else args[0]
        if name == "total":
            return f"COALESCE(SUM({value}), 0.0)"
        return None if value == args[0] else f"{name.upper()}({value})"
    return None


def _rewrite_calls(sql: str) -> str:
    """The sql with SQLite-only calls rewritten, innermost first."""
    plain = _blank_quotes(sql)
    for match in reversed(list(_CALL.finditer(plain))):
        open_index = match.end() - 1
        close_index = _closing_paren(plain, open_index)
        args = _top_level_args(sql[open_index + 1 : close_index])
        rewritten = _rewrite_call(match.group(1), args)
        if rewritten is not None:
            sql = sql[: match.start()] + rewritten + sql[close_index + 1 :]
            plain = _blank_quotes(sql)
    return sql


def _rewrite_insert_or(statement: str) -> str:
    """INSERT OR REPLACE/IGNORE as INSERT ... ON CONFLICT (before any RETURNING)."""
    match = _INSERT_OR.match(statement)
    if match is None:
        return statement
    table, cols = match.group("table"), match.group("cols")
    head = f"{match.group(1)}INSERT INTO {table}{' ' + cols if cols else ''}"
    rest = statement[match.end() :].rstrip().rstrip(";")
    if match.group("mode").upper() == "IGNORE":
        clause = "ON CONFLICT DO NOTHING"
    else:
        if table not in CONFLICT_KEYS or cols is None:
            raise ValueError(f"INSERT OR REPLACE INTO {table}: no known key or column list")
        key = CONFLICT_KEYS[table]
        names = [name.strip() for name in cols.strip("()").split(",")]
        updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in names if name not in key)
        action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
        clause = f"ON CONFLICT ({', '.join(key)}) {action}"
    returning = re.search(r"\bRETURNING\b", _blank_quotes(rest), re.IGNORECASE)
    if returning is not None:
        return f"{head}{rest[: returning.start()]} {clause} {rest[returning.start() :]}"
    return f"{head}{rest} {clause}"


def translate_expressions(sql: str) -> str:
    """One SQLite statement or expression with SQLite-only spellings made PostgreSQL's."""
    sql = _map_unquoted(sql, lambda part: _IS.sub("IS NOT DISTINCT FROM ", part))
    sql = _map_unquoted(sql, lambda part: _IS_NOT.sub("IS DISTINCT FROM ", part))
    return _rewrite_insert_or(_rewrite_calls(sql))


def is_trigger(statement: str) -> bool:
    """Whether a statement creates a SQLite trigger."""
    return re.match(r"\s*CREATE\s+TRIGGER\b", statement, re.IGNORECASE) is not None


def translate_trigger(statement: str) -> list[str]:
    """A SQLite trigger as a plpgsql trigger function and the trigger that runs it."""
    match = _TRIGGER.match(strip_comments(statement).strip())
    if match is None:
        raise ValueError(f"not a trigger this translation understands: {statement}")
    name, table = match.group("name"), match.group("table")
    event = collapse_whitespace(match.group("event"))
    body = "\n".join(
        f"    {translate_expressions(collapse_whitespace(part))};"
        for part in split_statements(match.group("body"))
    )
    if "$$" in body:
        raise ValueError(f"trigger {name}'s body contains $$")
    timing = match.group("timing").upper()
    # An AFTER trigger's result is ignored; a BEFORE trigger must hand the row on unchanged.
    result = "NULL" if timing == "AFTER" else ("OLD" if event.upper() == "DELETE" else "NEW")
    function = (
        f"CREATE FUNCTION {name}_fn() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n{body}\n    RETURN {result};\nEND\n$$"
    )
    when = match.group("when")
    condition = f" WHEN ({translate_expressions(collapse_whitespace(when))})" if when else ""
    trigger = (
        f"CREATE TRIGGER {name} {timing} {event} ON {table} "
        f"FOR EACH ROW{condition} EXECUTE FUNCTION {name}_fn()"
    )
    return [function, trigger]
