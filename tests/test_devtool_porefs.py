"""`devtool po-refs`: the references of the translation files follow a fresh
export; every msgid, msgstr, flag and the header stay byte for byte."""

import polib
from _devtool import ROOT
from edudev import cli, porefs

HEADER = """# Translation of Odoo Server.
#
msgid ""
msgstr ""
"Project-Id-Version: Odoo Server 18.0-20250925\\n"
"Language: uk\\n"
"""

OLD = (
    HEADER
    + """
#. module: cmr_portal
#. odoo-python
#: code:addons/cmr_portal/controllers/portal.py:0
#, python-format
msgid ""
"%(field)s is limited to "
"%(max)s characters."
msgstr ""
"%(field)s: не більше "
"%(max)s символів."

#. module: cmr_portal
#: model:ir.model.fields,field_description:cmr_portal.field_old__name
msgid "Quiet \\"days\\""
msgstr "Тихі \\"дні\\""

#. module: cmr_portal
#: code:addons/cmr_portal/models/gone.py:0
msgid "Gone"
msgstr "Зникло"

#~ msgid "Obsolete"
#~ msgstr "Застаріле"
"""
)

FRESH = (
    HEADER
    + """
#. module: cmr_portal
#. odoo-python
#: code:addons/cmr_portal/controllers/preferences.py:0
#: code:addons/cmr_portal/controllers/requests.py:0
msgid "%(field)s is limited to %(max)s characters."
msgstr ""

#. module: cmr_portal
#: model:ir.model.fields,field_description:cmr_portal.field_new__name
#: model_terms:ir.ui.view,arch_db:cmr_portal.portal_my_preferences
msgid "Quiet \\"days\\""
msgstr ""
"""
)


def test_entry_key_reads_wrapped_and_escaped_msgids():
    lines = ["#: x", 'msgid ""', '"a \\"b\\"\\n"', '"c"', 'msgstr "d"']
    assert porefs.entry_key(lines) == ("", 'a "b"\nc')
    assert porefs.entry_key(['msgctxt "k"', 'msgid "m"', 'msgstr ""']) == ("k", "m")
    assert porefs.entry_key(['#~ msgid "x"']) is None


def test_rewrite_changes_only_the_exported_comments():
    new, changed, unknown = porefs.rewrite(OLD, porefs.exported_comments(FRESH))
    assert (changed, unknown) == (2, 1)
    assert "controllers/portal.py" not in new
    assert "#: code:addons/cmr_portal/controllers/preferences.py:0\n" in new
    assert "field_new__name" in new and "field_old__name" not in new
    assert "model_terms:ir.ui.view,arch_db:cmr_portal.portal_my_preferences" in new
    # the term the export does not have, the obsolete one and the header stay
    assert "#: code:addons/cmr_portal/models/gone.py:0\n" in new
    assert new.startswith(HEADER) and new.endswith('#~ msgstr "Застаріле"\n')
    # every other line is kept, in its order (the flag after the references)
    kept = [line for line in OLD.splitlines() if not line.startswith(("#.", "#:"))]
    assert [
        line for line in new.splitlines() if not line.startswith(("#.", "#:"))
    ] == kept
    old_po, new_po = polib.pofile(OLD), polib.pofile(new)
    assert [(e.msgid, e.msgstr, e.flags) for e in new_po] == [
        (e.msgid, e.msgstr, e.flags) for e in old_po
    ]
    assert new_po[0].occurrences == [
        ("code:addons/cmr_portal/controllers/preferences.py", "0"),
        ("code:addons/cmr_portal/controllers/requests.py", "0"),
    ]
    # a second run changes nothing
    assert porefs.rewrite(new, porefs.exported_comments(FRESH))[:2] == (new, 0)


def test_the_shipped_files_round_trip():
    """Rewriting a shipped file with its own template changes no line."""
    i18n = ROOT / "addons" / "cmr_portal" / "i18n"
    fresh = porefs.exported_comments((i18n / "cmr_portal.pot").read_text())
    assert len(fresh) > 100
    text = (i18n / "cmr_portal.pot").read_text()
    assert porefs.rewrite(text, fresh) == (text, 0, 0)


def test_the_command_line():
    args = cli.parser().parse_args(["po-refs", "--addons", "edu_crm", "--db", "x"])
    assert (args.command, args.addons, args.db) == ("po-refs", "edu_crm", "x")
    assert cli.COMMANDS["po-refs"] is porefs.cmd_po_refs


def test_rewrite_addon_counts_and_writes(tmp_path, monkeypatch):
    i18n = tmp_path / "cmr_portal" / "i18n"
    i18n.mkdir(parents=True)
    (i18n / "uk.po").write_text(OLD)
    monkeypatch.setattr(porefs, "ADDONS_DIR", tmp_path)
    extra = '\n#: code:addons/cmr_portal/x.py:0\nmsgid "New"\nmsgstr ""\n'
    assert porefs.rewrite_addon("cmr_portal", FRESH + extra) == {"uk.po": (2, 1, 1)}
    assert "controllers/preferences.py" in (i18n / "uk.po").read_text()
