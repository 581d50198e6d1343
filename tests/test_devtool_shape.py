"""The dev tool stays a small package: no module over 500 lines, no function over
60, stdlib only (it runs before .venv exists)."""

import ast
import sys

from _devtool import ROOT

SOURCES = sorted((ROOT / "scripts").rglob("*.py"))
MAX_FILE, MAX_FUNCTION = 500, 60


def test_there_is_a_package():
    names = {p.relative_to(ROOT / "scripts").as_posix() for p in SOURCES}
    assert {"devtool.py", "edudev/cli.py", "edudev/postgres.py"} <= names
    assert len(names) >= 10


def test_no_file_over_500_lines():
    long = {
        p.name: n for p in SOURCES if (n := len(p.read_text().splitlines())) > MAX_FILE
    }
    assert not long


def test_no_function_over_60_lines():
    long = {}
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = node.end_lineno - node.lineno + 1
                if size > MAX_FUNCTION:
                    long[f"{path.name}:{node.name}"] = size
    assert not long


def test_stdlib_only():
    stdlib = set(sys.stdlib_module_names) | {"edudev"}
    foreign = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module]
            else:
                continue
            foreign |= {n.split(".")[0] for n in names} - stdlib
    assert not foreign
