"""Static checks of the three addons: manifests, data files, access rules."""

import ast
import csv
import re

import pytest
from _devtool import ROOT, common

ADDONS = ["edu_crm", "campaign_pressure", "cmr_portal"]
# glue modules (auto_install), new since the release 18.0.1.2.0
GLUE_ADDONS = [
    "edu_campaign",
    "edu_campaign_event",
    "edu_crm_event",
    "edu_crm_livechat",
]
ADDONS += GLUE_ADDONS


def _manifest(addon):
    return ast.literal_eval((ROOT / "addons" / addon / "__manifest__.py").read_text())


@pytest.mark.parametrize("addon", ADDONS)
def test_manifest(addon):
    manifest = _manifest(addon)
    assert re.fullmatch(r"18\.0\.\d+\.\d+\.\d+", manifest["version"])
    assert manifest["license"] == "LGPL-3"
    for key in ("name", "summary", "category", "author", "website", "depends"):
        assert manifest.get(key), f"{addon}: manifest key {key} missing"
    assert (ROOT / "addons" / addon / "static" / "description" / "icon.png").is_file()


@pytest.mark.parametrize("addon", ADDONS)
def test_manifest_files_exist(addon):
    manifest = _manifest(addon)
    base = ROOT / "addons" / addon
    files = manifest.get("data", []) + manifest.get("demo", [])
    for bundle in manifest.get("assets", {}).values():
        files += [f.split(addon + "/", 1)[-1] for f in bundle if isinstance(f, str)]
    for name in files:
        if "*" in name:
            continue
        assert (base / name).is_file(), f"{addon}: {name} listed in manifest is missing"


def test_dependencies_between_addons():
    assert "campaign_pressure" not in _manifest("edu_crm")["depends"]
    assert "edu_crm" not in _manifest("campaign_pressure")["depends"], (
        "campaign_pressure is generic and must not need the education addon"
    )
    portal = _manifest("cmr_portal")["depends"]
    assert {"edu_crm", "campaign_pressure", "portal"} <= set(portal)


@pytest.mark.parametrize("addon", GLUE_ADDONS)
def test_glue_installs_by_itself(addon):
    """A glue module comes with what it glues (auto_install), and the dev tool
    installs it in the demo and test databases."""
    manifest = _manifest(addon)
    assert manifest.get("auto_install") is True, f"{addon}: not auto_install"
    assert addon in common.DEV_ADDONS, f"{addon}: the dev tool does not install it"
    assert addon not in common.OUR_ADDONS, f"{addon}: not in the release upgraded"


def _declared_models(addon):
    """Models created (not only inherited) by the addon's Python files."""
    models = set()
    for path in (ROOT / "addons" / addon).rglob("*.py"):
        if "tests" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            attrs = {}
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                    target = stmt.targets[0]
                    if isinstance(target, ast.Name) and isinstance(
                        stmt.value, ast.Constant
                    ):
                        attrs[target.id] = stmt.value.value
                    elif isinstance(target, ast.Name) and isinstance(
                        stmt.value, ast.List
                    ):
                        attrs[target.id] = [
                            e.value
                            for e in stmt.value.elts
                            if isinstance(e, ast.Constant)
                        ]
            name = attrs.get("_name")
            inherit = attrs.get("_inherit")
            if isinstance(inherit, list) and name in inherit:
                inherit = name  # an existing model given another parent
            abstract = any(
                isinstance(b, ast.Attribute) and b.attr == "AbstractModel"
                for b in node.bases
            )
            if isinstance(name, str) and inherit != name and not abstract:
                models.add(name)
    return models


@pytest.mark.parametrize("addon", ADDONS)
def test_every_model_has_access_rules(addon):
    """Odoo 18 refuses models without ACL; check it statically per addon, with the
    model name mapped to its ir.model XML id (model_<name with dots as _>)."""
    acl = ROOT / "addons" / addon / "security" / "ir.model.access.csv"
    granted = set()
    if acl.exists():
        with acl.open() as handle:
            for row in csv.DictReader(handle):
                granted.add(row["model_id:id"].split(".")[-1])
    missing = [
        name
        for name in sorted(_declared_models(addon))
        if "model_" + name.replace(".", "_") not in granted
    ]
    assert not missing, f"{addon}: models without an ACL line: {missing}"
