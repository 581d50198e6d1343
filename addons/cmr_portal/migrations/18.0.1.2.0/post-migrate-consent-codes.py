"""18.0.1.2.0: the consent log stores codes, not words.

Before, a line stored the preference's label and its values as text in the
language of whoever made the change ("Так", "Per month", "SMS, Phone
call"); now it stores the field name and codes (``cmr.consent.log``) and
shows them in the reader's language. This reads each old line back into
codes, trying every installed language, keeps a text it cannot read as it
is (it is then shown as stored) and drops the old text columns."""

import logging

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL
from odoo.tools.sql import column_exists
from odoo.tools.translate import get_translation
from psycopg2.extras import execute_values

_logger = logging.getLogger(__name__)

LEGACY_COLUMNS = ("field_label", "old_value", "new_value")
# what the old code wrote, in English (translated with cmr_portal's terms;
# the week days now with campaign_pressure's, which names the quiet days)
WEEKDAYS = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
SELECTION_FIELDS = ("pressure_period", "cmr_preferred_channel")
BOOLEAN_FIELDS = ("cmr_sponsor_consent", "is_blacklisted")


def _translations(lang_codes, source, module="cmr_portal"):
    return {get_translation(module, code, source, ()) for code in lang_codes}


def _readers(env):
    """``{field_name: {text: code}}`` of every value the old code could
    write, in every installed language."""
    lang_codes = ["en_US", *env["res.lang"].search([]).mapped("code")]
    readers = {"topic": {}, "cmr_quiet_weekdays": {}}
    yes_no = {}
    for source, code in (("Yes", "1"), ("No", "0")):
        yes_no.update(dict.fromkeys(_translations(lang_codes, source), code))
    for fname in BOOLEAN_FIELDS:
        readers[fname] = yes_no
    for source, code in (
        ("Subscribed", "subscribed"),
        ("Not subscribed", "not_subscribed"),
    ):
        readers["topic"].update(dict.fromkeys(_translations(lang_codes, source), code))
    for day, name in enumerate(WEEKDAYS):
        readers["cmr_quiet_weekdays"].update(
            dict.fromkeys(
                _translations(lang_codes, name, "campaign_pressure"), str(day)
            )
        )
    Partner = env["res.partner"]
    for fname in SELECTION_FIELDS:
        readers[fname] = {
            label: key
            for code in lang_codes
            for key, label in Partner._fields[fname]._description_selection(
                env(context={"lang": code})
            )
        }
    readers["lang"] = {
        lang.name: lang.code
        for lang in env["res.lang"].with_context(active_test=False).search([])
    }
    channels = env["campaign.pressure.channel"].with_context(active_test=False)
    readers["pressure_blocked_channel_ids"] = {
        channel.with_context(lang=code).name: channel.code
        for channel in channels.search([])
        for code in lang_codes
    }
    return readers


def _code(readers, field_name, text):
    """The code of an old ``text``; the text itself when it is not read."""
    if not text:
        return text
    reader = readers.get(field_name)
    if reader is None:  # numbers and HH:MM were codes already
        return text
    if field_name in ("pressure_blocked_channel_ids", "cmr_quiet_weekdays"):
        parts = [reader.get(part.strip()) for part in text.split(",")]
        if all(parts):
            return ",".join(sorted(parts))
        return text
    return reader.get(text, text)


def migrate(cr, version):
    if not version or not all(
        column_exists(cr, "cmr_consent_log", column) for column in LEGACY_COLUMNS
    ):
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    readers = _readers(env)
    cr.execute(
        "SELECT id, field_name, field_label, old_value, new_value FROM cmr_consent_log"
    )
    rows = []
    unread = 0
    for log_id, field_name, label, old, new in cr.fetchall():
        old_code = _code(readers, field_name, old)
        new_code = _code(readers, field_name, new)
        unread += (old_code == old and field_name in readers and bool(old)) + (
            new_code == new and field_name in readers and bool(new)
        )
        topic = None
        if field_name == "topic":
            topic = label.split(": ", 1)[-1] if label else None
        rows.append((log_id, topic, old_code, new_code))
    execute_values(
        cr._obj,
        """
        UPDATE cmr_consent_log AS log
           SET topic_name = v.topic_name, old_code = v.old_code, new_code = v.new_code
          FROM (VALUES %s) AS v(id, topic_name, old_code, new_code)
         WHERE log.id = v.id
        """,
        rows,
        page_size=1000,
    )
    for column in LEGACY_COLUMNS:
        cr.execute(
            SQL(
                "ALTER TABLE cmr_consent_log DROP COLUMN %s",
                SQL.identifier(column),
            )
        )
    _logger.info(
        "cmr_portal: %s consent log lines now store codes (%s values kept as text)",
        len(rows),
        unread,
    )
