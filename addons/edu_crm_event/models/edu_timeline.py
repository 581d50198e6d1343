from odoo import api, fields, models
from odoo.tools import SQL


class EduTimeline(models.Model):
    """The person's event registrations on their timeline (planned until
    the event, then attended, registered or cancelled), and the channel of
    an application made by an event's lead rule."""

    _inherit = "edu.timeline"

    kind = fields.Selection(selection_add=[("event", "Event")])
    channel = fields.Selection(selection_add=[("event", "Event")])

    def _edu_timeline_lead_channel_sql(self):
        return SQL(
            "CASE WHEN l.event_id IS NOT NULL THEN 'event' ELSE %s END",
            super()._edu_timeline_lead_channel_sql(),
        )

    def _edu_timeline_sources(self):
        return super()._edu_timeline_sources() + [self._edu_timeline_registrations()]

    @api.model
    def _edu_timeline_record_models(self):
        return super()._edu_timeline_record_models() + ["event.registration"]

    def _edu_timeline_registrations(self):
        """One row per registration of the person, dated when the event
        begins: planned while the event has not ended, then done (attended
        or not, the registration's state says which), failed when
        cancelled."""
        return SQL(
            """
            SELECT r.id, r.partner_id, e.date_begin, 'event', 'event', 'in',
                   CASE WHEN r.state = 'cancel' THEN 'failed'
                        WHEN r.state = 'done' THEN 'done'
                        WHEN e.date_end >= (now() AT TIME ZONE 'UTC') THEN 'planned'
                        ELSE 'done' END,
                   e.name, 'event.registration', r.id, NULL::int, NULL::varchar,
                   NULL::varchar, jsonb_build_object('registration_state', r.state),
                   r.company_id
              FROM event_registration r
              JOIN event_event e ON e.id = r.event_id
             WHERE r.partner_id IS NOT NULL AND r.active
            """
        )

    def _edu_timeline_describe(self):
        """An event's row reads the event and the registration's state in
        Odoo's words (Registered, Attended, Cancelled)."""
        described = super()._edu_timeline_describe()
        states = dict(
            self.env["event.registration"]
            ._fields["state"]
            ._description_selection(self.env)
        )
        for row in self.filtered(lambda row: row.kind == "event"):
            state = (row.reason_args or {}).get("registration_state")
            if state in states:
                described[row.id] = f"{row.summary} · {states[state]}"
        return described
