"""Load ``addons/campaign_pressure/engine`` for the plain pytest tests.

The package imports nothing of Odoo's ORM; it is loaded as a package of its
own (importing ``campaign_pressure`` would load its models)."""

import importlib
import importlib.util
import sys

from _devtool import ROOT

ENGINE = ROOT / "addons" / "campaign_pressure" / "engine"


def load(name):
    """The engine's module ``name`` (``decide``, ``reasons``...)."""
    if "pressure_engine" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "pressure_engine",
            ENGINE / "__init__.py",
            submodule_search_locations=[str(ENGINE)],
        )
        package = importlib.util.module_from_spec(spec)
        sys.modules["pressure_engine"] = package
        spec.loader.exec_module(package)
    return importlib.import_module(f"pressure_engine.{name}")
