from odoo import api, fields, models
from odoo.tools import SQL


class CampaignPressureEngine(models.AbstractModel):
    """Suppression after a response (issue 15, item 4): a person whose
    response's reason suppresses them (``campaign.response.suppress_until``)
    is not targeted by the campaign answered, its topics (tags) or any
    marketing until then. Transactional messages are never suppressed.

    Enforced by the engine for every send path (mailings, SMS, calls,
    letters, journeys, the simulation): the counting statement flags these
    persons (:meth:`_pressure_flag_extra`, the statement's extension
    condition), so the one-statement path of everybody else is unchanged;
    :meth:`_pressure_decide` then holds them back with the reason
    ``suppressed``."""

    _inherit = "campaign.pressure.engine"

    @api.model
    def _pressure_suppression_match(self, msg, alias):
        """SQL: the response ``alias`` suppresses the message ``msg``."""
        tags = self.env["utm.campaign"]._fields["tag_ids"]
        return SQL(
            """(%(r)s.suppress_scope = 'all'
                OR (%(r)s.suppress_scope = 'campaign'
                    AND %(r)s.campaign_id = %(campaign)s)
                OR (%(r)s.suppress_scope = 'tag' AND EXISTS (
                    SELECT 1 FROM %(rel)s rel
                     WHERE rel.%(col1)s = %(r)s.campaign_id
                       AND rel.%(col2)s = ANY(%(tags)s))))""",
            r=SQL.identifier(alias),
            campaign=msg.campaign_id or None,
            rel=SQL.identifier(tags.relation),
            col1=SQL.identifier(tags.column1),
            col2=SQL.identifier(tags.column2),
            tags=list(msg.tag_ids or ()),
        )

    @api.model
    def _pressure_flag_extra(self, msg, now):
        """The counting statement's extension condition on the person
        ``pp``: flag who may be suppressed (None: nobody is)."""
        if msg.exempt:
            return None
        self.env["campaign.response"].flush_model(
            ["partner_id", "campaign_id", "suppress_until", "suppress_scope"]
        )
        return SQL(
            """pp.pid IS NOT NULL AND EXISTS (
                SELECT 1 FROM campaign_response sr
                 WHERE sr.partner_id = pp.pid AND sr.suppress_until > %s
                   AND %s)""",
            now,
            self._pressure_suppression_match(msg, "sr"),
        )

    @api.model
    def _pressure_decide(self, left, msg, windows, config, now, message):
        super()._pressure_decide(left, msg, windows, config, now, message)
        if msg.exempt:
            return
        pids = {d["partner_id"] for _p, d in left if d["allowed"] and d["partner_id"]}
        if not pids:
            return
        suppressed = self._pressure_suppressions(list(pids), msg, now)
        if not suppressed:
            return
        render = (
            self._pressure_reason_renderer() if message.get("explain", True) else None
        )
        for _person, decision in left:
            found = decision["allowed"] and suppressed.get(decision["partner_id"])
            if found:
                self._pressure_hold(
                    decision,
                    render,
                    "suppressed",
                    {"until": found[0], "answer": found[1]},
                )

    @api.model
    def _pressure_suppressions(self, partner_ids, msg, now):
        """partner id -> ``(until, reason name)`` of the latest suppression
        of the message ``msg`` in force at ``now``."""
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT ON (sr.partner_id) sr.partner_id,
                       sr.suppress_until,
                       COALESCE(rr.name->>%s, rr.name->>'en_US', '')
                  FROM campaign_response sr
                  LEFT JOIN campaign_response_reason rr ON rr.id = sr.reason_id
                 WHERE sr.partner_id = ANY(%s) AND sr.suppress_until > %s AND %s
              ORDER BY sr.partner_id, sr.suppress_until DESC
                """,
                self.env.lang or "en_US",
                partner_ids,
                now,
                self._pressure_suppression_match(msg, "sr"),
            )
        )
        return {
            pid: (fields.Datetime.to_string(until), name)
            for pid, until, name in self.env.cr.fetchall()
        }

    @api.model
    def _pressure_reasons(self):
        return [
            *super()._pressure_reasons(),
            ("suppressed", self.env._("Suppressed after a response")),
        ]

    @api.model
    def _pressure_reason_templates(self, detailed=True):
        templates = super()._pressure_reason_templates(detailed=detailed)
        templates["suppressed"] = (
            self.env._(
                "Not targeted by this campaign until %(until)s: the person "
                "answered '%(answer)s'."
            )
            if detailed
            else self.env._("Not targeted by this campaign until %(until)s.")
        )
        return templates
