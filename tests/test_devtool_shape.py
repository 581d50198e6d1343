"""The dev tool stays a small package: no module over 500 lines, no function over
60, stdlib only (it runs before .venv exists)."""

import ast
import sys

from _devtool import ROOT
from _shape import long_files, long_functions

SOURCES = sorted((ROOT / "scripts").rglob("*.py"))


def test_there_is_a_package():
    names = {p.relative_to(ROOT / "scripts").as_posix() for p in SOURCES}
    assert {"devtool.py", "edudev/cli.py", "edudev/postgres.py"} <= names
    assert len(names) >= 10


def test_no_file_over_500_lines():
    assert not long_files(SOURCES, ROOT / "scripts")


def test_no_function_over_60_lines():
    assert not long_functions(SOURCES, ROOT / "scripts")


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
