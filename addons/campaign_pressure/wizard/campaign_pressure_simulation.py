from collections import Counter

from odoo import Command, fields, models


class CampaignPressureSimulation(models.TransientModel):
    _name = "campaign.pressure.simulation"
    _description = "Marketing Pressure Simulation"

    mailing_id = fields.Many2one("mailing.mailing", required=True, ondelete="cascade")
    recipient_count = fields.Integer(readonly=True)
    held_count = fields.Integer(string="Held back", readonly=True)
    rule_line_ids = fields.One2many(
        "campaign.pressure.simulation.rule", "simulation_id", string="Per rule"
    )
    recipient_line_ids = fields.One2many(
        "campaign.pressure.simulation.recipient",
        "simulation_id",
        string="Held-back recipients",
    )

    def _run(self):
        """Evaluate the mailing's remaining recipients without locking nor
        logging anything: what a send would hold back right now."""
        self.ensure_one()
        mailing = self.mailing_id
        engine = self.env["campaign.pressure.engine"]
        channel = mailing._pressure_channel()
        res_ids = mailing._get_remaining_recipients()
        requests = engine._pressure_requests(
            mailing.mailing_model_real, res_ids, channel
        )
        message = engine._pressure_message_values(mailing)
        message["reserved"] = mailing._pressure_reserved_by_others()
        decisions = engine._pressure_evaluate(
            requests, channel, message=message, lock=False
        )
        held = {ref: d for ref, d in decisions.items() if not d["allowed"]}
        per_rule = Counter(d["rule_id"] or False for d in held.values())
        records = self.env[mailing.mailing_model_real].browse(list(held)[:1000])
        names = dict(zip(records.ids, records.mapped("display_name"), strict=True))
        self.write(
            {
                "recipient_count": len(res_ids),
                "held_count": len(held),
                "rule_line_ids": [Command.clear()]
                + [
                    Command.create({"rule_id": rule_id, "held_count": count})
                    for rule_id, count in per_rule.items()
                ],
                "recipient_line_ids": [Command.clear()]
                + [
                    Command.create(
                        {
                            "res_id": ref,
                            "name": names.get(ref) or str(ref),
                            "person_key": decision["key"],
                            "partner_id": decision["partner_id"],
                            "rule_id": decision["rule_id"],
                            "count": decision["count"],
                            "threshold": decision["threshold"],
                            "reason": decision["reason"],
                        }
                    )
                    for ref, decision in list(held.items())[:1000]
                ],
            }
        )
        return held


class CampaignPressureSimulationRule(models.TransientModel):
    _name = "campaign.pressure.simulation.rule"
    _description = "Marketing Pressure Simulation per Rule"

    simulation_id = fields.Many2one(
        "campaign.pressure.simulation", required=True, ondelete="cascade"
    )
    rule_id = fields.Many2one("campaign.pressure.rule", string="Rule")
    held_count = fields.Integer(string="Held back")
    label = fields.Char(compute="_compute_label")

    def _compute_label(self):
        for line in self:
            line.label = line.rule_id.display_name or self.env._(
                "Person's own settings (cap, blocked channel, quiet hours)"
            )


class CampaignPressureSimulationRecipient(models.TransientModel):
    _name = "campaign.pressure.simulation.recipient"
    _description = "Marketing Pressure Simulation Recipient"

    simulation_id = fields.Many2one(
        "campaign.pressure.simulation", required=True, ondelete="cascade"
    )
    res_id = fields.Integer(string="Record ID")
    name = fields.Char(string="Recipient")
    person_key = fields.Char()
    partner_id = fields.Many2one("res.partner")
    rule_id = fields.Many2one("campaign.pressure.rule", string="Rule")
    count = fields.Integer(string="Contacts in window")
    threshold = fields.Integer()
    reason = fields.Char()
