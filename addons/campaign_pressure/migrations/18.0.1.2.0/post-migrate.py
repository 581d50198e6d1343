"""18.0.1.2.0: the reasons a message was held back are stored as codes.

Until 18.0.1.1.0 the engine wrote its reason as a sentence in the sender's
language: on held-back traces (``mailing.trace.failure_reason``) and on the
recipients of a pressure check (``campaign.pressure.simulation.recipient``,
column ``reason``). They are now a code and its arguments
(``pressure_reason`` / ``pressure_reason_args``, ``reason_code`` /
``reason_args``), rendered in the reader's language.

Every sentence the previous version could write, in each language it was
translated to, is read back into its code; a text that is none of them (an
extension's, such as a quiet day) stays as it was, so nothing is lost.
"""

import json
import logging
import re

from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# the sentences of 18.0.1.1.0 (engine) per language: rule, own cap,
# cool-down suffix, blocked channel, quiet hours
OLD_SENTENCES = {
    "en": (
        "Rule '%(rule)s': %(count)s contact(s) in the window, threshold %(threshold)s.",
        "The person's own cap: %(count)s contact(s) this %(period)s, "
        "threshold %(threshold)s.",
        "Cool-down in progress.",
        "The person blocked the %s channel.",
        "Quiet hours of the person.",
    ),
    "uk": (
        "Правило '%(rule)s': контактів у вікні — %(count)s, поріг — %(threshold)s.",
        "Власний ліміт особи: контактів за цей період (%(period)s) — %(count)s, "
        "поріг — %(threshold)s.",
        "Триває період охолодження.",
        "Особа заблокувала канал %s.",
        "Тихі години особи.",
    ),
    "ru": (
        "Правило '%(rule)s': контактов в окне — %(count)s, порог — %(threshold)s.",
        "Собственный лимит лица: контактов за этот период (%(period)s) — "
        "%(count)s, порог — %(threshold)s.",
        "Идёт период охлаждения.",
        "Лицо заблокировало канал %s.",
        "Тихие часы лица.",
    ),
    "bg": (
        "Правило '%(rule)s': %(count)s контакт(а) в прозореца, праг %(threshold)s.",
        "Собственият лимит на лицето: %(count)s контакт(а) за този период "
        "(%(period)s), праг %(threshold)s.",
        "Тече период на охлаждане.",
        "Лицето е блокирало канала %s.",
        "Тихи часове на лицето.",
    ),
}
BATCH = 10_000


def _pattern(sentence):
    """Regular expression of a sentence: ``%(name)s`` as named groups."""
    out = []
    for part in re.split(r"(%\(\w+\)s|%s)", sentence):
        named = re.fullmatch(r"%\((\w+)\)s", part)
        if named:
            out.append(f"(?P<{named.group(1)}>.*?)")
        elif part == "%s":
            out.append(".*?")
        else:
            out.append(re.escape(part))
    return re.compile("".join(out) + r"\Z", re.S)


PATTERNS = [
    (
        _pattern(rule),
        _pattern(own),
        cooldown,
        _pattern(blocked),
        quiet,
    )
    for rule, own, cooldown, blocked, quiet in OLD_SENTENCES.values()
]


def parse_reason(text, channel):
    """``(code, args)`` of a sentence of 18.0.1.1.0, None if it is not one.
    ``channel``: email or sms (the message's, named by "blocked")."""
    text = (text or "").strip()
    for rule, own, cooldown, blocked, quiet in PATTERNS:
        if text == quiet:
            return "quiet_hours", {}
        if blocked.match(text):
            return "blocked_channel", {"channel": channel}
        cooling = text.endswith(cooldown)
        body = text[: -len(cooldown)].strip() if cooling else text
        for pattern, code in ((rule, "rule"), (own, "own_cap")):
            found = pattern.match(body)
            if not found:
                continue
            try:
                args = {
                    "count": int(found["count"]),
                    "threshold": int(found["threshold"]),
                }
            except ValueError:
                return None
            if code == "rule":
                args["rule_name"] = found["rule"]
            else:
                args["period"] = found["period"]
            # the cool-down was in progress: the reason is the lowered cap
            # (its end and its cause were not recorded)
            return ("cooldown" if cooling else code), args
    return None


def _column_exists(cr, table, column):
    cr.execute(
        SQL(
            "SELECT 1 FROM information_schema.columns"
            " WHERE table_name = %s AND column_name = %s",
            table,
            column,
        )
    )
    return bool(cr.fetchone())


def _convert(cr, select, update):
    """Read ``(id, text, rule_id, channel)`` rows by ``select`` and write
    the parsed ones with ``update`` (ids, codes, args); return the count."""
    cr.execute(select)
    rows = cr.fetchall()
    converted = 0
    for start in range(0, len(rows), BATCH):
        ids, codes, args_list = [], [], []
        for row_id, text, rule_id, channel in rows[start : start + BATCH]:
            parsed = parse_reason(text, channel)
            if not parsed:
                continue
            code, args = parsed
            if rule_id and code in ("rule", "cooldown"):
                args["rule_id"] = rule_id
            ids.append(row_id)
            codes.append(code)
            args_list.append(json.dumps(args))
        if ids:
            cr.execute(update(ids, codes, args_list))
            converted += len(ids)
    return converted, len(rows)


def migrate_traces(cr):
    done, total = _convert(
        cr,
        SQL(
            """SELECT id, failure_reason, pressure_rule_id,
                      CASE WHEN trace_type = 'sms' THEN 'sms' ELSE 'email' END
                 FROM mailing_trace
                WHERE failure_type = 'pressure' AND pressure_reason IS NULL
                  AND failure_reason IS NOT NULL"""
        ),
        lambda ids, codes, args: SQL(
            """UPDATE mailing_trace t
                  SET pressure_reason = x.code, pressure_reason_args = x.args::jsonb,
                      failure_reason = NULL
                 FROM unnest(%s::int[], %s::varchar[], %s::varchar[])
                      AS x(id, code, args)
                WHERE t.id = x.id""",
            ids,
            codes,
            args,
        ),
    )
    _logger.info(
        "campaign_pressure: %s of %s held-back traces read into codes", done, total
    )


def migrate_simulations(cr):
    table = "campaign_pressure_simulation_recipient"
    if not _column_exists(cr, table, "reason"):
        return
    done, total = _convert(
        cr,
        SQL(
            """SELECT r.id, r.reason, r.rule_id,
                      CASE WHEN m.mailing_type = 'sms' THEN 'sms' ELSE 'email' END
                 FROM campaign_pressure_simulation_recipient r
                 JOIN campaign_pressure_simulation s ON s.id = r.simulation_id
                 JOIN mailing_mailing m ON m.id = s.mailing_id
                WHERE r.reason IS NOT NULL AND r.reason_code IS NULL"""
        ),
        lambda ids, codes, args: SQL(
            """UPDATE campaign_pressure_simulation_recipient r
                  SET reason_code = x.code, reason_args = x.args::jsonb
                 FROM unnest(%s::int[], %s::varchar[], %s::varchar[])
                      AS x(id, code, args)
                WHERE r.id = x.id""",
            ids,
            codes,
            args,
        ),
    )
    # a text that is no sentence of ours is kept, rendered as written
    cr.execute(
        SQL(
            """UPDATE campaign_pressure_simulation_recipient
                  SET reason_args = jsonb_build_object('text', reason)
                WHERE reason IS NOT NULL AND reason_code IS NULL"""
        )
    )
    cr.execute(
        SQL("ALTER TABLE campaign_pressure_simulation_recipient DROP COLUMN reason")
    )
    # the per-rule lines: a line with a rule was a rule's
    cr.execute(
        SQL(
            """UPDATE campaign_pressure_simulation_rule SET reason = 'rule'
                WHERE rule_id IS NOT NULL AND reason IS NULL"""
        )
    )
    _logger.info(
        "campaign_pressure: %s of %s simulation reasons read into codes", done, total
    )


def migrate(cr, version):
    if not version:
        return
    migrate_traces(cr)
    migrate_simulations(cr)
