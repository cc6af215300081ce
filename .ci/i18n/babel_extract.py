"""Babel extractor for glutewake: the usual Python strings plus click command docstrings.

click takes a command's help from its docstring, which `_()` cannot wrap; glutewake's
commands translate it when shown (cli/base.py), with the cleaned docstring as msgid.
Used by .ci/i18n/babel.cfg (`PYTHONPATH=.ci/i18n pybabel extract -F .ci/i18n/babel.cfg ...`,
see README).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from typing import IO, Any

from babel.messages.extract import extract_python

Message = tuple[int, str, Any, list[str]]


def extract(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: list[str],
    options: dict[str, Any],
) -> Iterator[Message]:
    source = fileobj.read()
    fileobj.seek(0)
    yield from extract_python(fileobj, keywords, comment_tags, options)
    yield from command_docstrings(source)


def command_docstrings(source: bytes) -> Iterator[Message]:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and any(map(_is_command, node.decorator_list)):
            text = ast.get_docstring(node, clean=True)
            if text:
                yield node.body[0].lineno, "_", text, ["command help"]


def _is_command(decorator: ast.expr) -> bool:
    func = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in ("command", "group")
