"""`po-refs`: point the comments of the translation files at where each term
lives now, from a fresh Odoo export; the translations stay as they are.

Only the lines an export writes for a term (`#. module: ...`, `#. odoo-python`,
`#: code:addons/...:0`, `#: model:...`) change: every other line of the
`.pot` and of each `.po` (msgid, msgstr, flags, translator comments, the
header) is kept byte for byte, so the diff shows nothing but the references.
A term the export no longer has keeps its comments (and is counted).
"""

import ast
import os
import tarfile
import tempfile
from pathlib import Path

from .common import ADDONS_DIR, DEV_ADDONS, LOCAL, TEST_PG_PORT, UserError, ident, say
from .odoo_src import odoo_base_cmd, odoo_env, run_odoo
from .postgres import embedded_postgres, external_postgres
from .prepare import prepare

EXPORTED = ("#.", "#:")  # the comment lines an export writes for a term


def _unquote(parts):
    return "".join(ast.literal_eval(part) for part in parts)


def entry_key(lines):
    """(msgctxt, msgid) of one entry's lines, None for a block without msgid."""
    fields, current = {}, None
    for line in lines:
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and rest.startswith('"'):
            current = keyword
            fields[current] = [rest]
        elif current and line.startswith('"'):
            fields[current].append(line)
        else:
            current = None
    if "msgid" not in fields:
        return None
    return _unquote(fields.get("msgctxt", [])), _unquote(fields["msgid"])


def _blocks(text):
    """The entries of a PO text; ``"\\n\\n".join`` gives the text back."""
    return text.split("\n\n")


def exported_comments(pot_text):
    """(msgctxt, msgid) -> the export's comment lines for the term."""
    comments = {}
    for block in _blocks(pot_text):
        lines = block.split("\n")
        key = entry_key(lines)
        if key and key[1]:
            comments[key] = [line for line in lines if line.startswith(EXPORTED)]
    return comments


def rewrite(text, fresh):
    """``text`` with the exported comment lines of each term from ``fresh``:
    (new text, terms changed, terms the export does not have)."""
    blocks, changed, unknown = _blocks(text), 0, 0
    for index, block in enumerate(blocks):
        lines = block.split("\n")
        key = entry_key(lines)
        if not key or not key[1] or lines[0].startswith("#~"):
            continue
        if key not in fresh:
            unknown += 1
            continue
        translator = [line for line in lines if line == "#" or line.startswith("# ")]
        rest = [
            line
            for line in lines
            if not line.startswith(EXPORTED) and line not in translator
        ]
        new = "\n".join(translator + fresh[key] + rest)
        if new != block:
            blocks[index], changed = new, changed + 1
    return "\n\n".join(blocks), changed, unknown


def rewrite_addon(addon, pot_text):
    """Rewrite the .pot and every .po of ``addon``:
    {file name: (terms changed, terms not exported, exported terms missing)}."""
    fresh = exported_comments(pot_text)
    report = {}
    for path in sorted((ADDONS_DIR / addon / "i18n").glob("*.po*")):
        text = path.read_text(encoding="utf-8")
        new, changed, unknown = rewrite(text, fresh)
        if new != text:
            path.write_text(new, encoding="utf-8")
        missing = set(fresh) - set(exported_comments(text))
        report[path.name] = (changed, unknown, len(missing))
    return report


def _export(odoo, python, pg, db, addons, install):
    """{addon: exported .pot text} from ``db`` (installed first if asked)."""
    if install:
        cmd = odoo_base_cmd(python, odoo, pg, db, LOCAL / "test-data")
        cmd += ["-i", ",".join(addons), "--stop-after-init", "--max-cron-threads", "0"]
        say(f"installing {', '.join(addons)} on throwaway database {db}")
        run_odoo(cmd + ["--log-level", "warn"], odoo_env(odoo))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "export.tgz"
        cmd = odoo_base_cmd(python, odoo, pg, db, LOCAL / "test-data")
        cmd += ["--i18n-export", str(out), "--modules", ",".join(addons)]
        run_odoo(cmd + ["--log-level", "warn"], odoo_env(odoo))
        with tarfile.open(out) as tar:
            return {
                addon: tar.extractfile(f"{addon}/i18n/{addon}.pot").read().decode()
                for addon in addons
                if f"{addon}/i18n/{addon}.pot" in tar.getnames()
            }


def cmd_po_refs(args):
    addons = [a for a in (args.addons or ",".join(DEV_ADDONS)).split(",") if a]
    unknown = [a for a in addons if not (ADDONS_DIR / a / "i18n").is_dir()]
    if unknown:
        raise UserError(f"no i18n folder in addon(s): {', '.join(unknown)}")
    odoo, python = prepare("test", external_db=args.external_db, odoo_tests=False)
    pg = external_postgres(args.external_db) or embedded_postgres(
        "test", TEST_PG_PORT, fast=True
    )
    db = ident(args.db or f"edu_porefs_{os.getpid()}")
    install = not (args.db and pg.db_exists(db))
    try:
        exports = _export(odoo, python, pg, db, addons, install)
    finally:
        if install and not args.keep_db:
            pg.drop_db(db)
    for addon in addons:
        if addon not in exports:
            say(f"{addon}: nothing exported (no translatable term)")
            continue
        for name, counts in rewrite_addon(addon, exports[addon]).items():
            say(
                f"{addon}/i18n/{name}: {counts[0]} terms re-pointed, {counts[1]} not"
                f" exported (kept as they are), {counts[2]} exported but missing"
            )
    return 0
