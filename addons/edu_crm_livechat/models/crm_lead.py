from odoo import models


class CrmLead(models.Model):
    """Leads made from a live chat (``/lead`` in the conversation), onto
    the person.

    Odoo's ``crm_livechat`` makes a lead without a team, linked to the
    visitor's partner when the visitor is logged in (a portal user) and to
    nobody when they are anonymous. A lead an admissions officer makes (the
    operator is a member of an Admissions team) goes to that team's
    pipeline, in its first stage, as an opportunity like the web
    enquiries; the email and phone the visitor typed in the chat are the
    lead's contact when it has no person, and the duplicate check of
    inbound leads (``_edu_link_inbound_persons``) puts it on the existing
    person with that email (or phone), else on a new one. Its UTM source
    is Odoo's "Livechat"; the person's timeline shows it as an application
    that came by live chat."""

    _inherit = "crm.lead"

    def _edu_chat_admissions(self, channel, operator):
        """Make the lead that ``operator`` (a partner) made from ``channel``
        an admissions lead on the visitor's person, when the operator works
        in an Admissions team."""
        self.ensure_one()
        team = self.team_id or self.env["crm.team"].search(
            [
                ("edu_is_admissions", "=", True),
                ("member_ids", "in", operator.user_ids.ids),
            ],
            order="sequence, id",
            limit=1,
        )
        if not team.edu_is_admissions:
            return
        values = {"team_id": team.id, "type": "opportunity"}
        stage = self._stage_find(team_id=team.id, domain=[("fold", "=", False)])
        if stage:
            values["stage_id"] = stage.id
        if not self.partner_id:
            values.update(channel._edu_visitor_contact(operator))
        self.write(values)
        self._edu_link_inbound_persons()
