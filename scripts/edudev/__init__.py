"""The dev tool behind `make run` / `make test` (entry point: scripts/devtool.py).

Stdlib only: it runs before the virtual environment exists. One module per concern:

    common      paths, names, UserError, small helpers shared by all
    odoo_src    finding Odoo 18.0 (source tree, git checkout, package) and its commands
    system      the Debian/Ubuntu packages each command needs (apt-get as root)
    venv        .venv with Odoo's requirements (less python-ldap) and ours
    postgres    embedded or external PostgreSQL
    serve       `run`: the demo database and the HTTP server
    testrun     `test`: Odoo's test run, its log analysis, pytest
    perf        `perf`: benchmarks in tests/perf
    lint        `lint`: pre-commit
    cli         the command line
"""
