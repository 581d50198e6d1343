"""Demo data only: plays the demo journeys' first days inside the
installation, through the journeys' own runner (entries, sends through each
step's mailing, the pressure rules, hold actions).

Time is told by moving the journeys' own dates back: after each round, the
participants' history and pending steps move ``days`` into the past, so the
next round runs what would be due by then. The pressure contact log is left
where it is: what the demo people received this week still counts, which is
why some steps are held, with the rule's reason on the participant's path.

Nothing but the demo files (``<function>``) calls this model; its methods
are private (not callable over RPC)."""

from datetime import timedelta

from odoo import api, models
from odoo.tools import SQL

FORCE_SEND_LIMIT = "mail.mail.force.send.limit"
# (table, its date columns) moved back when the demo lets days pass
JOURNEY_DATES = {
    "campaign_journey": ("launch_date", "last_entry_scan"),
    "campaign_journey_participant": ("entered_date", "left_date"),
    "campaign_journey_participant_step": ("scheduled_date", "first_date", "run_date"),
}


class EduCampaignDemo(models.AbstractModel):
    _name = "edu.campaign.demo"
    _description = "Journeys demo data"

    @api.model
    def _journey_demo_launch(self, journey_ids):
        """Launch the journeys and run their first tick."""
        journeys = self.env["campaign.journey"].browse(journey_ids)
        journeys.filtered(lambda j: j.state == "draft").action_launch()
        self._journey_demo_tick()

    @api.model
    def _journey_demo_tick(self):
        """The runner's tick in the installation's transaction, its emails
        queued, not sent (Odoo sends a send of at most
        ``mail.mail.force.send.limit`` recipients at once: without an
        outgoing server it fails, and the pressure engine releases what it
        counted, so that nothing would ever be held in the demo), then taken
        as delivered as the pressure demo's are, before anyone opens them."""
        params = self.env["ir.config_parameter"].sudo()
        limit = params.get_param(FORCE_SEND_LIMIT)
        params.set_param(FORCE_SEND_LIMIT, "0")
        try:
            runner = self.env["campaign.journey.runner"]
            runner._journey_tick(500, 600, auto_commit=False)
        finally:
            params.set_param(FORCE_SEND_LIMIT, limit)
        self.env["campaign.pressure.demo"]._deliver_queue()

    @api.model
    def _journey_demo_react(self, journey_ids, opened, clicked):
        """The first ``opened`` people open the journeys' emails sent so far,
        the first ``clicked`` of them click their link."""
        for journey in self.env["campaign.journey"].browse(journey_ids):
            traces = (
                self.env["campaign.journey.participant.step"]
                .sudo()
                .search(
                    [
                        ("journey_id", "=", journey.id),
                        ("trace_id.trace_type", "=", "mail"),
                        ("state", "=", "done"),
                    ],
                    order="id",
                )
                .trace_id
            )
            traces[:opened].set_opened()
            traces[:clicked].set_clicked()

    @api.model
    def _journey_demo_pass_days(self, journey_ids, days):
        """``days`` pass for the journeys (their dates move into the past),
        then the runner's tick runs what is due by then."""
        journeys = self.env["campaign.journey"].browse(journey_ids)
        self.env.flush_all()
        for table, columns in JOURNEY_DATES.items():
            key = "id" if table == "campaign_journey" else "journey_id"
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET %s WHERE %s = ANY(%s)",
                    SQL.identifier(table),
                    SQL(", ").join(
                        SQL(
                            "%s = %s - %s * interval '1 day'",
                            SQL.identifier(column),
                            SQL.identifier(column),
                            days,
                        )
                        for column in columns
                    ),
                    SQL.identifier(key),
                    journeys.ids,
                )
            )
        self.env.cr.execute(
            SQL(
                "UPDATE mailing_trace SET sent_datetime = sent_datetime - %s "
                "WHERE mass_mailing_id = ANY(%s)",
                timedelta(days=days),
                journeys.step_ids.mailing_id.ids,
            )
        )
        self.env.invalidate_all()
        self._journey_demo_tick()
