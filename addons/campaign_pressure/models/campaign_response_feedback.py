from itertools import groupby

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

from .res_partner import COOLDOWN_REASONS

SUPPRESS_SCOPES = [
    ("campaign", "The campaign answered"),
    ("tag", "The campaign's topics (tags)"),
    ("all", "All marketing"),
]
# stamped by the server when a response is recorded, never by a user
SUPPRESS_FIELDS = {"suppress_until", "suppress_scope"}


class CampaignResponseReason(models.Model):
    """What a response of this reason changes for the person (issue 15,
    item 4): a suppression window for the campaign or its topics, a
    cool-down (lower caps), a move to another segment (a contact tag), the
    end of their journeys; a positive reason can start a journey. Set by a
    pressure manager (the reason's access rights)."""

    _inherit = "campaign.response.reason"

    suppress_days = fields.Integer(
        string="Suppression (days)",
        help="The person is not targeted by the campaign answered (or its "
        "topics, or any marketing) for this many days: held back by the "
        "pressure engine. 0: no suppression.",
    )
    suppress_scope = fields.Selection(
        SUPPRESS_SCOPES, string="Suppressed for", default="campaign", required=True
    )
    cooldown_reason = fields.Selection(
        COOLDOWN_REASONS,
        string="Cool-down",
        help="Lower the person's caps for the company's cool-down period, "
        "shown with this reason.",
    )
    segment_tag_id = fields.Many2one(
        "res.partner.category",
        string="Move to segment",
        ondelete="set null",
        help="The person gets this tag; the other tags under the same parent "
        "tag are removed (a tag is a mailing and journey filter).",
    )
    end_journeys = fields.Boolean(
        string="End the person's journeys",
        help="The person leaves every journey they are in; what is pending "
        "is cancelled.",
    )
    start_journey_id = fields.Many2one(
        "campaign.journey",
        string="Start journey",
        ondelete="set null",
        help="A journey that the person enters when they respond with this "
        "positive reason, while it runs: their records of the journey's model "
        "that match its entry criteria enter at once, whatever its entry "
        "mode (its re-entry policy applies).",
    )

    @api.constrains("suppress_days")
    def _check_suppress_days(self):
        if any(reason.suppress_days < 0 for reason in self):
            raise ValidationError(
                self.env._("A suppression window cannot be negative.")
            )

    @api.constrains("start_journey_id", "polarity")
    def _check_start_journey(self):
        for reason in self.filtered("start_journey_id"):
            reason.start_journey_id._journey_check_started_by(reason)

    def _feedback_partners(self, partners):
        """Cool-down, segment move and journey start of this reason for
        ``partners`` (the people who just responded with it)."""
        self.ensure_one()
        partners = partners.sudo()
        if self.cooldown_reason:
            partners._pressure_cooldown(self.cooldown_reason)
        tag = self.segment_tag_id
        if tag:
            siblings = tag.parent_id.child_ids - tag if tag.parent_id else tag.browse()
            partners.write(
                {
                    "category_id": [Command.link(tag.id)]
                    + [Command.unlink(other.id) for other in siblings]
                }
            )
        journey = self.start_journey_id
        if journey and self.polarity == "positive":
            self.env["campaign.journey.runner"]._journey_enter_people(
                journey, partners.ids, fields.Datetime.now()
            )


class CampaignResponse(models.Model):
    _inherit = "campaign.response"

    suppress_until = fields.Datetime(
        string="Not targeted until",
        readonly=True,
        index="btree_not_null",
        help="Set from the reason when the response is recorded: until then "
        "the pressure engine holds the person back (see 'Suppressed for').",
    )
    suppress_scope = fields.Selection(
        SUPPRESS_SCOPES, string="Suppressed for", readonly=True
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            if any(SUPPRESS_FIELDS & set(vals) for vals in vals_list):
                self._refuse_suppression()
            # nor from the context (default_suppress_until...)
            forced = dict.fromkeys(SUPPRESS_FIELDS, False)
            vals_list = [dict(vals, **forced) for vals in vals_list]
        responses = super().create(vals_list)
        responses._feedback()
        return responses

    def write(self, vals):
        if not self.env.su and SUPPRESS_FIELDS & set(vals):
            self._refuse_suppression()
        return super().write(vals)

    def _refuse_suppression(self):
        raise AccessError(
            self.env._(
                "A response's suppression is set from its reason when it is "
                "recorded, not by hand."
            )
        )

    def _feedback(self):
        """Apply what the reasons of these new responses feed back, set
        based: one statement stamps the suppressions, then one action per
        reason and kind (cool-down, segment, journeys) for its people."""
        responses = self.sudo()
        if not responses:
            return
        responses.flush_recordset()
        self.env["campaign.response.reason"].flush_model(
            ["suppress_days", "suppress_scope"]
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE campaign_response r
                   SET suppress_until = LEAST(r.date, %s)
                                        + rr.suppress_days * interval '1 day',
                       suppress_scope = rr.suppress_scope
                  FROM campaign_response_reason rr
                 WHERE r.id = ANY(%s) AND rr.id = r.reason_id
                   AND rr.suppress_days > 0 AND r.partner_id IS NOT NULL
                """,
                fields.Datetime.now(),
                responses.ids,
            )
        )
        responses.invalidate_recordset(list(SUPPRESS_FIELDS))
        leaving = self.env["res.partner"]
        with_person = responses.filtered(lambda r: r.partner_id and r.reason_id)
        for reason, group in groupby(
            with_person.sorted(lambda r: r.reason_id.id), key=lambda r: r.reason_id
        ):
            partners = self.env["res.partner"].union(*(r.partner_id for r in group))
            reason._feedback_partners(partners)
            if reason.end_journeys:
                leaving |= partners
        if leaving:
            self.env["campaign.journey.runner"]._journey_end_for_partners(
                leaving.ids,
                self.env._("The person's response ends their journeys."),
            )


class CampaignJourneyRunner(models.AbstractModel):
    _inherit = "campaign.journey.runner"

    @api.model
    def _journey_end_for_partners(self, partner_ids, reason):
        """The running participants of these people leave their journeys
        ('Left'); their pending steps are cancelled with ``reason``."""
        self.env["campaign.journey.participant"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                UPDATE campaign_journey_participant
                   SET state = 'exited', left_date = %s
                 WHERE partner_id = ANY(%s) AND state = 'running' AND NOT is_test
                RETURNING id
                """,
                fields.Datetime.now(),
                list(partner_ids),
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        if ids:
            self._journey_cancel_items(SQL("participant_id = ANY(%s)", ids), reason)
        self.env["campaign.journey.participant"].invalidate_model()
        return ids
