"""The addons keep the shape of issue 13: no file over 500 lines (Python and XML),
no function over 60 lines, in the product code and in the addons' own tests, so a
newcomer reads any rule or any test on one screen or two."""

from _devtool import ROOT
from _shape import long_files, long_functions

ADDONS = ROOT / "addons"


def _sources(*suffixes):
    return sorted(p for p in ADDONS.rglob("*") if p.suffix in suffixes and p.is_file())


def test_the_check_sees_the_addons():
    names = {p.relative_to(ADDONS).as_posix() for p in _sources(".py", ".xml")}
    for addon in ("edu_crm", "campaign_pressure", "cmr_portal"):
        assert f"{addon}/__manifest__.py" in names
        assert any(n.startswith(f"{addon}/tests/test_") for n in names)
        assert any(n.startswith(f"{addon}/views/") for n in names)
    # the limits bite: files and functions are found at lower limits
    assert long_files(_sources(".py", ".xml"), ADDONS, limit=100)
    assert long_functions(_sources(".py"), ADDONS, limit=20)


def test_no_file_over_500_lines():
    assert not long_files(_sources(".py", ".xml"), ADDONS)


def test_no_function_over_60_lines():
    """Tests included: a test of 100 lines is split into helpers or into tests."""
    assert not long_functions(_sources(".py"), ADDONS)
