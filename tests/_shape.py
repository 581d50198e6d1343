"""The size limits shared by the shape tests (the dev tool, the addons)."""

import ast

MAX_FILE, MAX_FUNCTION = 500, 60


def long_files(paths, base, limit=MAX_FILE):
    """{path below ``base``: lines} of the files over ``limit`` lines."""
    return {
        p.relative_to(base).as_posix(): n
        for p in paths
        if (n := len(p.read_text().splitlines())) > limit
    }


def long_functions(paths, base, limit=MAX_FUNCTION):
    """{"path:line:name": lines} of the functions over ``limit`` lines."""
    long = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = node.end_lineno - node.lineno + 1
                if size > limit:
                    name = path.relative_to(base).as_posix()
                    long[f"{name}:{node.lineno}:{node.name}"] = size
    return long
