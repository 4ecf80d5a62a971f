"""Kit files as people write them: YAML read with care, and every problem located at FILE:LINE.

A kit (and the files beside it: inventories, scenarios, notes) is written by communications people, so
every problem is reported at once as `FILE:LINE: field.path: reason`, in words they can act on. The YAML
is read as a node tree that knows each value's line, with its size, its aliases and its duplicate keys
checked before anything is built from it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError

from flows.kit.schema import SECRET_FIELD
from flows.refusals import Refusal

MAX_KIT_BYTES = 1024 * 1024
# Anchors and aliases are welcome, but a few nested aliases can expand to billions of values to validate.
MAX_EXPANDED_NODES = 200_000

_MERGE_TAG = "tag:yaml.org,2002:merge"

Document = TypeVar("Document", bound=BaseModel)


@dataclass(frozen=True)
class KitProblem:
    """One thing wrong with a kit file, located as precisely as the file allows."""

    file: str
    line: int | None
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.reason}" if self.field else f"{where}: {self.reason}"


class KitError(Refusal, ValueError):
    """A kit that cannot be used. `problems` lists every problem found; the message has one per line."""

    kind = "bad_kit"

    def __init__(self, problems: Sequence[KitProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def read_yaml_as(path: Path, schema: type[Document]) -> Document:
    """Read a YAML file written by people and check it against `schema`, every problem at FILE:LINE."""
    file = str(path)
    text = _read_text(path, file)
    root, document, problems = _parse_yaml(text, file)
    try:
        checked = schema.model_validate(document)
    except ValidationError as exc:
        problems += [p for error in exc.errors() for p in validation_problems(error, root, file)]
    if problems:
        raise KitError(sorted(problems, key=lambda p: p.line or 0))
    return checked


def _read_text(path: Path, file: str) -> str:
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_KIT_BYTES + 1)
    except OSError as exc:
        reason = f"cannot read the file ({exc.strerror or exc})"
        raise KitError([KitProblem(file, None, "", reason)]) from None
    if len(data) > MAX_KIT_BYTES:
        raise KitError([KitProblem(file, None, "", "the file is over 1 MB: is it really a kit?")])
    try:
        return data.decode("utf-8-sig")  # tolerate the byte-order mark some editors add
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        reason = "not UTF-8 text: save the file as UTF-8 in your editor (its accents are probably Latin-1)"
        raise KitError([KitProblem(file, line, "", reason)]) from None


def _parse_yaml(text: str, file: str) -> tuple[Node, Any, list[KitProblem]]:
    """The node tree (it knows each value's line), the plain data built from it, and duplicate keys."""
    try:
        loader = yaml.SafeLoader(text)
    except ReaderError as exc:  # the reader checks every character up front
        line = text.count("\n", 0, exc.position) + 1
        reason = f"contains a character that is not allowed ({chr(exc.character)!r})"
        raise KitError([KitProblem(file, line, "", reason)]) from None
    try:
        root = loader.get_single_node()
        if root is None:
            raise KitError([KitProblem(file, 1, "", "the file is empty")])
        if _expanded_size(root, {}, set()) > MAX_EXPANDED_NODES:
            reason = "the anchors and aliases (& and *) expand to too many values"
            raise KitError([KitProblem(file, None, "", reason)])
        duplicates = list(_duplicate_keys(root, file))  # before building: merges rewrite the tree
        return root, loader.construct_document(root), duplicates
    except yaml.MarkedYAMLError as exc:
        raise KitError([_syntax_problem(exc, file)]) from None
    except RecursionError:
        raise KitError([KitProblem(file, None, "", "the file is nested too deeply")]) from None
    finally:
        loader.dispose()


def _syntax_problem(exc: yaml.MarkedYAMLError, file: str) -> KitProblem:
    mark = exc.problem_mark or exc.context_mark
    detail = "; ".join(part for part in (exc.context, exc.problem) if part)
    reason = f"not valid YAML ({detail}): check the indentation, colons and quotes around this line"
    return KitProblem(file, mark.line + 1 if mark else None, "", reason)


def _expanded_size(node: Node, sizes: dict[int, int], expanding: set[int]) -> int:
    """How many values the tree holds once every alias is replaced by what it names (capped)."""
    if id(node) in sizes:
        return sizes[id(node)]
    if id(node) in expanding:
        return MAX_EXPANDED_NODES + 1  # an alias inside its own anchor never ends
    expanding.add(id(node))
    children: list[Node] = []
    if isinstance(node, SequenceNode):
        children = list(node.value)
    elif isinstance(node, MappingNode):
        children = [n for pair in node.value for n in pair]
    total = 1 + sum(_expanded_size(child, sizes, expanding) for child in children)
    sizes[id(node)] = min(total, MAX_EXPANDED_NODES + 1)
    expanding.discard(id(node))
    return sizes[id(node)]


def _duplicate_keys(root: Node, file: str) -> Iterator[KitProblem]:
    """Keys written twice in one section: YAML would silently keep the last one."""
    for node in _mappings(root):
        seen: set[tuple[str, str]] = set()
        for key, _ in node.value:
            if isinstance(key, ScalarNode) and key.tag != _MERGE_TAG:
                if (key.tag, key.value) in seen:
                    reason = "this field appears twice in the same section (only one can count)"
                    yield KitProblem(file, key.start_mark.line + 1, key.value, reason)
                seen.add((key.tag, key.value))


def _mappings(root: Node) -> Iterator[MappingNode]:
    """Every mapping in the tree, once each (an aliased node is shared, not copied)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            yield node
            stack.extend(n for pair in node.value for n in pair)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)


def validation_problems(error: ErrorDetails, root: Node | None, file: str) -> Iterator[KitProblem]:
    """The problems one validation error stands for, located in the file's node tree when there is one."""
    if error["loc"] or error["type"] != "value_error":
        path = [part for part in error["loc"] if part != "[key]"]
        yield KitProblem(file, _locate(root, path)[0], _dotted(path), reason_for(error))
        return
    # The kit-wide check names the field itself, one "path: reason" per line.
    for message in _strip_value_error(error["msg"]).splitlines():
        dotted, _, reason = message.partition(": ")
        path: list[str | int] = [int(p) if p.isdigit() else p for p in dotted.split(".")]
        line, node = _locate(root, path)
        if (quoted := _leading_quoted(reason)) is not None and node is not None:
            line = _last_scalar_line(node, quoted) or line
        yield KitProblem(file, line, dotted, reason)


def _locate(root: Node | None, path: Sequence[str | int]) -> tuple[int | None, Node | None]:
    """The line of the deepest node of `path` present in the file (a mapping entry's line is its key's)."""
    if root is None:
        return None, None
    node, line = root, root.start_mark.line + 1
    for part in path:
        if isinstance(node, MappingNode):
            # After merges the explicit entry comes last and is the one that counts.
            pairs = [
                pair for pair in node.value if isinstance(pair[0], ScalarNode) and pair[0].value == str(part)
            ]
            if not pairs:
                break
            key, node = pairs[-1]
            line = key.start_mark.line + 1
        elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line, node


def _last_scalar_line(node: Node, value: str) -> int | None:
    """The line of the last value equal to `value` under `node`: where a repeated or unknown name is."""
    if isinstance(node, ScalarNode):
        return node.start_mark.line + 1 if node.value == value else None
    children = node.value if isinstance(node, SequenceNode) else [v for _, v in node.value]
    lines = [line for child in children if (line := _last_scalar_line(child, value))]
    return lines[-1] if lines else None


def _leading_quoted(reason: str) -> str | None:
    match = re.match(r"""('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""", reason)
    return ast.literal_eval(match.group(1)) if match else None


def _dotted(path: Sequence[str | int]) -> str:
    return ".".join(str(part) for part in path)


# The schema's patterns, said the way a person writing the kit would understand them.
_PATTERN_REASONS = {
    r"^[a-z0-9][a-z0-9_.-]{0,63}$": "a key uses lowercase letters, digits, '.', '_', '-' (e.g. claire.morel)",
    r"^[a-z][a-z0-9_]{0,63}$": "a role name uses lowercase letters, digits and '_' (e.g. community_manager)",
    r"^(fr|en)$": "the language must be fr or en",
    r"^[^@\s]+@[^@\s]+$": "not an email address",
    r"^[UW][A-Z0-9]{2,30}$": "a Slack user id looks like U04ABC123 (Slack profile → ⋮ → Copy member ID)",
    r"^[a-z][a-z0-9_]{0,31}$": "a platform is written in lowercase letters, digits and '_' (e.g. instagram)",
    r"^\S+$": "a handle has no spaces: write it as it appears after the @ (e.g. hoteldeslilas)",
    r"^https?://\S+$": "a link starts with https:// and has no spaces",
}
_TYPE_REASONS = {
    "extra_forbidden": "unknown field (typo?)",
    "missing": "this field is required but missing",
    "time_delta_parsing": "not a duration: write it like 90s, 15m, 2h or 3d",
    "time_delta_type": "not a duration: write it like 90s, 15m, 2h or 3d",
    "model_type": "expected a section of fields (name: value lines)",
    "model_attributes_type": "expected a section of fields (name: value lines)",
    "dict_type": "expected a section of entries (name: value lines)",
    "list_type": "expected a list (lines starting with '- ')",
    "string_type": "expected text",
    "int_parsing": "expected a whole number",
    "int_type": "expected a whole number",
    "bool_parsing": "expected yes or no (true or false)",
    "bool_type": "expected yes or no (true or false)",
    "date_from_datetime_parsing": "not a date: write it like 2026-09-30",
    "date_from_datetime_inexact": "not a date: write it like 2026-09-30",
    "date_parsing": "not a date: write it like 2026-09-30",
    "date_type": "not a date: write it like 2026-09-30",
}


def reason_for(error: ErrorDetails) -> str:
    """A validation error said the way a person writing the file would understand it."""
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    if error["type"] == "extra_forbidden" and SECRET_FIELD.search(str(error["loc"][-1])):
        return "never write a password or a code in the kit: say where it is kept instead (credentials_in)"
    if error["type"] == "string_pattern_mismatch" and ctx.get("pattern") in _PATTERN_REASONS:
        reason = _PATTERN_REASONS[ctx["pattern"]]
    elif error["type"] == "enum":
        reason = f"must be one of {ctx['expected']}"
    else:
        reason = _TYPE_REASONS.get(error["type"], _strip_value_error(error["msg"]))
    value = error.get("input")
    # Show what was written, unless the reason already does (our own checks) or there is nothing to show.
    shown = error["type"] not in ("missing", "extra_forbidden", "value_error")
    if shown and isinstance(value, str | int | float):
        reason += f" (got {str(value)[:60]!r})"
    return reason


def _strip_value_error(message: str) -> str:
    return message.removeprefix("Value error, ")
