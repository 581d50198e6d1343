from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

# fields that decide whether an activity is a marketing call, and to whom
PRESSURE_CALL_FIELDS = {"activity_type_id", "res_model_id", "res_model", "res_id"}


class MailActivity(models.Model):
    _inherit = "mail.activity"

    pressure_marketing_call = fields.Boolean(
        related="activity_type_id.pressure_marketing_call"
    )
    pressure_call_outcome = fields.Selection(
        [
            ("reached", "Reached"),
            ("no_answer", "No answer"),
            ("do_not_contact", "Do not contact"),
        ],
        string="Call outcome",
    )
    pressure_warning = fields.Char(compute="_compute_pressure_warning")

    @api.depends("activity_type_id", "res_model", "res_id")
    def _compute_pressure_warning(self):
        """One evaluation for all the calls shown (not one per activity)."""
        self.pressure_warning = False
        calls = self.filtered("pressure_marketing_call")
        if not calls:
            return
        engine = self.env["campaign.pressure.engine"]
        partners = calls._pressure_partners()
        # a saved call already holds its reservation: only warn when over
        for weight in (0, 1):
            group = [
                (index, call)
                for index, call in enumerate(calls)
                if partners[index] and bool(call.id) != bool(weight)
            ]
            if not group:
                continue
            decisions = engine._pressure_evaluate(
                [
                    {"ref": index, "partner_id": partners[index].id}
                    for index, _call in group
                ],
                "phone",
                message={"weight": weight},
                lock=False,
            )
            for index, call in group:
                decision = decisions.get(index)
                if decision and not decision["allowed"]:
                    call.pressure_warning = decision["reason"]

    def _pressure_partners(self):
        """The person called, per activity (list in ``self``'s order)."""
        return self._pressure_document_partners(
            [(activity.res_model, activity.res_id) for activity in self]
        )

    @api.model
    def _pressure_document_partners(self, documents):
        """The person a call about each document reaches (list in the order
        of ``documents``, pairs ``(model, res_id)``): the first customer of
        the document, as Odoo's ``_mail_get_partners`` finds it; the
        documents of each model are read at once."""
        res_ids = defaultdict(set)
        for model, res_id in documents:
            if model in self.env and res_id:
                res_ids[model].add(res_id)
        found = {}
        for model, ids in res_ids.items():
            records = self.env[model].sudo().browse(ids).exists()
            for rid, partners in records._mail_get_partners(
                introspect_fields=True
            ).items():
                found[model, rid] = partners[:1]
        empty = self.env["res.partner"]
        return [found.get(document, empty) for document in documents]

    @api.model
    def _pressure_check_calls(self, model, res_ids, weight=1):
        """The engine's decision on a new marketing call (``weight`` calls)
        about each document, without reserving anything: ``[(res_id,
        partner, decision)]`` for the documents whose person a call would
        exceed a rule for, in the order of ``res_ids``; one evaluation for
        all of them."""
        partners = self._pressure_document_partners(
            [(model, res_id) for res_id in res_ids]
        )
        requests = [
            {"ref": res_id, "partner_id": partner.id}
            for res_id, partner in zip(res_ids, partners, strict=True)
            if partner
        ]
        if not requests:
            return []
        decisions = self.env["campaign.pressure.engine"]._pressure_evaluate(
            requests, "phone", message={"weight": weight}, lock=False
        )
        return [
            (res_id, partner, decisions[res_id])
            for res_id, partner in zip(res_ids, partners, strict=True)
            if partner and not decisions[res_id]["allowed"]
        ]

    @api.model_create_multi
    def create(self, vals_list):
        activities = super().create(vals_list)
        calls = activities.filtered("pressure_marketing_call")
        if calls and not self.env["campaign.pressure.engine"]._pressure_disabled():
            calls._pressure_reserve_calls()
        return activities

    def write(self, vals):
        """A call that becomes a marketing call, or moves to another
        document (another person), is checked and reserved as when it is
        scheduled; the reservation it held is released first."""
        if not PRESSURE_CALL_FIELDS & set(vals):
            return super().write(vals)
        # done calls (archived) keep their confirmed contact as it is
        open_calls = self.filtered("active")
        before = open_calls.filtered("pressure_marketing_call")
        res = super().write(vals)
        if not self.env["campaign.pressure.engine"]._pressure_disabled():
            before._pressure_set_state("released")
            open_calls.filtered("pressure_marketing_call")._pressure_reserve_calls()
        return res

    def _pressure_reserve_calls(self):
        engine = self.env["campaign.pressure.engine"]
        requests = [
            {"ref": activity.id, "partner_id": partner.id}
            for activity, partner in zip(self, self._pressure_partners(), strict=True)
            if partner
        ]
        if not requests:
            return
        decisions = engine._pressure_evaluate(requests, "phone", lock=True)
        blocked = [
            d
            for d in decisions.values()
            if not d["allowed"] and d["phone_action"] == "block"
        ]
        if blocked:
            raise UserError(
                self.env._(
                    "This marketing call cannot be scheduled: %s", blocked[0]["reason"]
                )
            )
        engine._pressure_log(
            {ref: dict(d, allowed=True) for ref, d in decisions.items()},
            "phone",
            "activity",
            {
                "res_model": self._name,
                "company_id": self.env.company.id,
                "user_id": self.env.uid,
            },
        )

    def _pressure_reservations(self):
        """The contacts the calls hold (reserved when scheduled), as the
        server reads them."""
        if not self.ids:
            return self.env["campaign.pressure.contact"].sudo()
        return (
            self.env["campaign.pressure.contact"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("state", "=", "reserved"),
                ]
            )
        )

    def _pressure_set_state(self, state):
        self._pressure_reservations().write({"state": state})

    def _action_done(self, feedback=False, attachment_ids=None):
        calls = self.filtered("pressure_marketing_call")
        calls._pressure_set_state("confirmed")
        refused = calls.filtered(lambda a: a.pressure_call_outcome == "do_not_contact")
        self.env["res.partner"].union(*refused._pressure_partners())._pressure_cooldown(
            "call"
        )
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)

    def unlink(self):
        self.filtered("pressure_marketing_call")._pressure_set_state("released")
        return super().unlink()
