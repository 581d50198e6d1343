"""The three addons are fully translated to Ukrainian, Russian and Bulgarian (X1).

Each addon ships ``i18n/<addon>.pot`` exported by Odoo and ``uk.po``, ``ru.po`` and
``bg.po`` built from it: every term translated, with the same placeholders and HTML
tags as the source, and the template kept in step with the field labels in Python.
"""

import ast
import re

import polib
import pytest
from _devtool import ROOT

ADDONS = ["edu_crm", "campaign_pressure", "cmr_portal"]
# glue modules: translated too; their models add no labelled field of their own
GLUE_ADDONS = [
    "edu_campaign",
    "edu_campaign_event",
    "edu_crm_event",
    "edu_crm_livechat",
]
SLAVIC_PLURAL = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
    "(n%100<10 || n%100>=20) ? 1 : 2);"
)
LANGS = {"uk": SLAVIC_PLURAL, "ru": SLAVIC_PLURAL, "bg": "nplurals=2; plural=(n != 1);"}

# %s, %d, %r, %(name)s, %% ; {name} (not QWeb's {{ expression }})
PERCENT_RE = re.compile(r"%(?:\([^)]+\))?[sdrf%]")
BRACE_RE = re.compile(r"(?<!\{)\{\w*\}(?!\})")
TAG_RE = re.compile(r"</?([a-zA-Z][\w-]*)")
STRING_RE = re.compile(r"""\bstring\s*=\s*(?P<q>["'])(?P<s>(?:(?!(?P=q)).)+)(?P=q)""")


def _i18n(addon):
    return ROOT / "addons" / addon / "i18n"


def _pot(addon):
    return polib.pofile(str(_i18n(addon) / f"{addon}.pot"))


def _placeholders(text):
    return sorted(PERCENT_RE.findall(text)), set(BRACE_RE.findall(text))


def _edges(text):
    core = text.strip()
    return text[: text.index(core)], text[text.index(core) + len(core) :]


def _tags(text):
    return sorted(TAG_RE.findall(text))


@pytest.mark.parametrize("lang", sorted(LANGS))
@pytest.mark.parametrize("addon", ADDONS + GLUE_ADDONS)
def test_po_translates_every_term(addon, lang):
    po = polib.pofile(str(_i18n(addon) / f"{lang}.po"))
    assert po.metadata["Language"] == lang
    assert po.metadata["Plural-Forms"] == LANGS[lang]
    translations = {entry.msgid: entry.msgstr for entry in po if not entry.obsolete}
    problems = []
    for entry in _pot(addon):
        msgstr = translations.get(entry.msgid)
        if not msgstr or not msgstr.strip():
            problems.append(f"untranslated: {entry.msgid!r}")
            continue
        if _placeholders(entry.msgid) != _placeholders(msgstr):
            problems.append(f"placeholders differ: {entry.msgid!r} -> {msgstr!r}")
        if _tags(entry.msgid) != _tags(msgstr):
            problems.append(f"HTML tags differ: {entry.msgid!r} -> {msgstr!r}")
        if _edges(entry.msgid) != _edges(msgstr):
            problems.append(f"leading/trailing whitespace differs: {entry.msgid!r}")
    assert not problems, f"{addon}/{lang}.po:\n" + "\n".join(problems)


@pytest.mark.parametrize("addon", ADDONS + GLUE_ADDONS)
def test_po_flags_follow_the_template(addon):
    flags = {entry.msgid: set(entry.flags) for entry in _pot(addon)}
    for lang in LANGS:
        po = polib.pofile(str(_i18n(addon) / f"{lang}.po"))
        for entry in po:
            assert set(entry.flags) - {"fuzzy"} == flags.get(entry.msgid, set()), (
                f"{addon}/{lang}.po: flags of {entry.msgid!r}"
            )
            assert "fuzzy" not in entry.flags, (
                f"{addon}/{lang}.po: fuzzy {entry.msgid!r}"
            )


@pytest.mark.parametrize("addon", ADDONS)
def test_pot_is_not_stale(addon):
    """Every field label written in the addon's models is a term of its template."""
    msgids = {entry.msgid for entry in _pot(addon)}
    labels = set()
    for path in (ROOT / "addons" / addon / "models").glob("*.py"):
        labels |= {m.group("s") for m in STRING_RE.finditer(path.read_text())}
    assert labels, f"{addon}: no field label found, the check would prove nothing"
    missing = sorted(labels - msgids)
    assert not missing, f"{addon}: re-export i18n/{addon}.pot, missing {missing}"


DESCRIPTION_RE = re.compile(
    r"""\b_description\s*=\s*(?P<q>["'])(?P<s>(?:(?!(?P=q)).)+)(?P=q)"""
)


@pytest.mark.parametrize("addon", GLUE_ADDONS)
def test_glue_pot_is_not_stale(addon):
    """Every model a glue module declares has its description in the template;
    a glue module without any Python model translates only its data files."""
    msgids = {entry.msgid for entry in _pot(addon)}
    descriptions = set()
    for path in (ROOT / "addons" / addon).rglob("*.py"):
        if "tests" not in path.parts:
            descriptions |= {
                m.group("s") for m in DESCRIPTION_RE.finditer(path.read_text())
            }
    missing = sorted(descriptions - msgids)
    assert not missing, f"{addon}: re-export i18n/{addon}.pot, missing {missing}"
    if not descriptions:
        # no Python model: every term is text of the module's own data files
        # (e.g. its demo event) or a string of its code (the labels and
        # messages of the models it extends), never a stray one
        data = " ".join(
            " ".join(path.read_text().split())
            for path in (ROOT / "addons" / addon).rglob("*.xml")
        ) + " ".join(_code_strings(addon))
        stray = sorted(
            entry.msgid
            for entry in _pot(addon)
            if " ".join(entry.msgid.split()) not in data
            and not _names_of_extended(entry)
        )
        assert not stray, f"{addon}: terms in the template no data file has: {stray}"


def _names_of_extended(entry):
    """Whether the term is only the name of a model, or the label of a field,
    that the module extends: Odoo exports those for every module that
    touches the model (e.g. "Lead/Opportunity" for a module that extends
    ``crm.lead``), the text is the model's owner's."""
    kinds = ("model:ir.model,name:", "model:ir.model.fields,field_description:")
    return bool(entry.occurrences) and all(
        where.startswith(kinds) for where, _line in entry.occurrences
    )


def _code_strings(addon):
    """The string literals of the addon's Python code (tests left out), each
    with its whitespace normalised (implicitly concatenated literals are one)."""
    for path in (ROOT / "addons" / addon).rglob("*.py"):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                yield " ".join(node.value.split())


def test_placeholder_check_catches_a_lost_placeholder():
    assert _placeholders("%(name)s has %s") != _placeholders("%(name)s має")
    assert _placeholders("{{ object.name }} is {x}") == _placeholders("{x} {{ o }}")
    assert _tags("<span>a</span>") != _tags("a")
