import logging
from contextlib import contextmanager
from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.tools import SQL

from .campaign_journey_mailing import RUNNER_SENDS

_logger = logging.getLogger(__name__)

# an email/SMS batch left in "sending" this long ago was interrupted
STALE_SENDING = timedelta(hours=1)


class CampaignJourneyRunner(models.AbstractModel):
    """What each kind of step does with a batch of work items, and the test
    mode. A kind's runner returns ``{item: (state, reason)}``."""

    _inherit = "campaign.journey.runner"

    # ------------------------------------------------------------------
    # Kinds
    # ------------------------------------------------------------------

    def _journey_run_email(self, step, items, now, test_email=None):
        if test_email:
            return self._journey_test_email(step, items, test_email)
        return self._journey_send(step, items)

    def _journey_run_sms(self, step, items, now, test_email=None):
        if test_email:
            return {
                item: ("done", self.env._("Test run: no SMS is sent."))
                for item in items
            }
        return self._journey_send(step, items)

    def _journey_send(self, step, items):
        """One mailing send for the batch: Odoo's send path, with the
        pressure hooks, traces and link tracking of any mailing."""
        mailing = step.mailing_id.sudo()
        items.write({"state": "sending", "run_date": self.env.cr.now()})
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT (SELECT COALESCE(MAX(id), 0) FROM mailing_trace), "
                "(SELECT COALESCE(MAX(id), 0) FROM campaign_pressure_contact)"
                if mailing.best_channel
                else "SELECT COALESCE(MAX(id), 0), 0 FROM mailing_trace"
            )
        )
        min_trace_id, min_contact_id = self.env.cr.fetchone()
        res_ids = items.participant_id.mapped("res_id")
        with self._journey_sending_scope(mailing):
            mailing.action_send_mail(res_ids)
        return self._journey_read_traces(mailing, items, min_trace_id, min_contact_id)

    @contextmanager
    def _journey_sending_scope(self, mailing):
        """The runner's send of a step's mailing: marked on the cursor for
        the time of the send (the mailing refuses any other send,
        ``_journey_check_send``, and reads its recipients by the journey).
        Not a context key: a caller sets those."""
        sends = self.env.cr.cache.setdefault(RUNNER_SENDS, set())
        sends.add(mailing.id)
        try:
            yield
        finally:
            sends.discard(mailing.id)

    def _journey_read_traces(self, mailing, items, min_trace_id=0, min_contact_id=0):
        """The outcome of sent items from their traces: held when the
        pressure engine held the message back, with its reason. A
        best-channel step's calls and letters leave no trace: their contact
        of the mailing in the log says they are done."""
        self.env.flush_all()
        run_dates = [d for d in items.mapped("run_date") if d]
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT ON (res_id) res_id, id
                  FROM mailing_trace
                 WHERE mass_mailing_id = %s AND model = %s
                   AND res_id = ANY(%s) AND id > %s AND create_date >= %s
                 ORDER BY res_id, id DESC
                """,
                mailing.id,
                mailing.mailing_model_real,
                items.participant_id.mapped("res_id"),
                min_trace_id,
                min(run_dates) if run_dates else fields.Datetime.now(),
            )
        )
        trace_by_res = dict(self.env.cr.fetchall())
        traces = self.env["mailing.trace"].sudo().browse(list(trace_by_res.values()))
        traces.fetch(["failure_type", "pressure_reason", "pressure_reason_args"])
        outcome = {}
        untraced = items.filtered(lambda i: i.participant_id.res_id not in trace_by_res)
        if mailing.best_channel and untraced:
            outcome.update(
                self._journey_read_planned(mailing, untraced, min_contact_id)
            )
        for item in items:
            trace = traces.browse(trace_by_res.get(item.participant_id.res_id))
            if item in outcome:
                continue
            if not trace:
                outcome[item] = ("cancelled", self.env._("Odoo sent no message."))
                continue
            item.trace_id = trace
            if trace.failure_type == "pressure":
                outcome[item] = ("held", trace.pressure_reason_text)
            else:
                outcome[item] = ("done", False)
        return outcome

    def _journey_read_planned(self, mailing, items, min_contact_id=0):
        """``{item: ("done", reason)}`` of the items a best-channel send
        reached by a call or a letter: a contact of the mailing logged for
        the participant's person by this send (one query)."""
        self.env["campaign.pressure.contact"].flush_model()
        run_dates = [d for d in items.mapped("run_date") if d]
        rows = self.env.execute_query(
            SQL(
                """
                SELECT DISTINCT ON (c.partner_id) c.partner_id, ch.name
                  FROM campaign_pressure_contact c
                  LEFT JOIN campaign_pressure_channel ch ON ch.code = c.channel
                 WHERE c.mailing_id = %s AND c.partner_id = ANY(%s)
                   AND c.state != 'released' AND c.id > %s
                   AND c.contact_date >= %s
                 ORDER BY c.partner_id, c.id DESC
                """,
                mailing.id,
                items.participant_id.partner_id.ids,
                min_contact_id,
                min(run_dates) if run_dates else fields.Datetime.now(),
            )
        )
        channel_of = dict(rows)
        outcome = {}
        for item in items:
            name = channel_of.get(item.participant_id.partner_id.id)
            if name is not None:
                label = name.get(self.env.lang) or name.get("en_US") or ""
                outcome[item] = (
                    "done",
                    self.env._("Reached on its best channel: %s.", label),
                )
        return outcome

    def _journey_recover_sending(self):
        """Items of an interrupted send (left in ``sending``): done or held
        by their trace, scheduled again when no message was made."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM campaign_journey_participant_step
                 WHERE state = 'sending' AND run_date < %s
                 FOR UPDATE SKIP LOCKED
                """,
                self.env.cr.now() - STALE_SENDING,
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        if not ids:
            return
        Item = self.env["campaign.journey.participant.step"].sudo()
        items = Item.browse(ids)
        for step in items.step_id:
            step_items = items.filtered(lambda i, s=step: i.step_id == s)
            outcome = self._journey_read_traces(step.mailing_id, step_items)
            unsent = [
                i.id for i, (state, _r) in outcome.items() if state == "cancelled"
            ]
            Item.browse(unsent).write({"state": "scheduled"})
            outcome = {i: o for i, o in outcome.items() if i.id not in unsent}
            self._journey_finish(step, outcome, fields.Datetime.now())

    def _journey_run_activity(self, step, items, now, test_email=None):
        journey = step.journey_id
        if test_email:
            return {
                item: ("done", self.env._("Test run: no task is created."))
                for item in items
            }
        Model = self.env[journey.model_name].sudo()
        outcome = {}
        if step.activity_type_id.pressure_marketing_call:
            outcome.update(self._journey_refused_calls(journey, items))
            outcome.update(
                self._journey_calls_budget(
                    step, items.filtered(lambda i: i not in outcome)
                )
            )
        to_create = items.filtered(lambda i: i not in outcome)
        if not to_create:
            return outcome
        records = Model.browse(to_create.participant_id.mapped("res_id"))
        owner_field = Model._fields.get("user_id")
        fallback_user = journey.launched_by_id or journey.create_uid
        vals_list = []
        for item in to_create:
            record = records.browse(item.participant_id.res_id)
            if step.activity_user_mode == "user":
                user = step.activity_user_id
            elif owner_field and owner_field.comodel_name == "res.users":
                user = record.user_id or fallback_user
            else:
                user = fallback_user
            vals_list.append(
                {
                    "res_model_id": journey.model_id.id,
                    "res_id": record.id,
                    "activity_type_id": step.activity_type_id.id,
                    "summary": self._journey_call_summary(step, item),
                    "note": step.activity_note,
                    "user_id": user.id,
                    "date_deadline": fields.Date.context_today(self)
                    + timedelta(days=step.activity_deadline_days),
                }
            )
        activities = self.env["mail.activity"].sudo().create(vals_list)
        for item, activity in zip(to_create, activities, strict=True):
            item.activity_id = activity
            outcome[item] = ("done", False)
        self._journey_price_calls(step, activities)
        return outcome

    def _journey_price_calls(self, step, activities):
        """The calls a step schedules are the journey's campaign's: their
        reservations (logged when the task is created, at the channel's cost
        of the company) are of that campaign, at the step's own cost when
        it has one."""
        campaign = step.journey_id.campaign_id
        own = step._journey_log_cost()
        if not (campaign or own) or not activities.filtered("pressure_marketing_call"):
            return
        contacts = activities._pressure_reservations()
        contacts.write({"campaign_id": campaign.id, **(own or {})})

    def _journey_call_summary(self, step, item):
        """The task's summary; with a recipient field, whom to call."""
        summary = step.activity_summary or step.name
        partner = item.participant_id.partner_id
        if step.journey_id.recipient_field and partner:
            return f"{summary} ({partner.display_name})"
        return summary

    def _journey_refused_calls(self, journey, items):
        """``{item: ("held", reason)}`` of the calls the pressure rules
        block: the call is to the record's person, or to the person of the
        journey's recipient field (the participant's partner)."""
        if journey.recipient_field:
            model = "res.partner"
            ref_of = {item: item.participant_id.partner_id.id for item in items}
        else:
            model = journey.model_name
            ref_of = {item: item.participant_id.res_id for item in items}
        refs = [ref for ref in dict.fromkeys(ref_of.values()) if ref]
        refused = {
            ref: decision
            for ref, _partner, decision in self.env[
                "mail.activity"
            ]._pressure_check_calls(model, refs)
            if decision.get("phone_action", "block") == "block"
        }
        return {
            item: ("held", refused[ref].get("reason"))
            for item, ref in ref_of.items()
            if ref in refused
        }

    def _journey_run_letter(self, step, items, now, test_email=None):
        """A letter is a contact logged in the pressure contact log (as the
        Log letters wizard does), to the record's partner."""
        if test_email:
            return {
                item: ("done", self.env._("Test run: no letter is logged."))
                for item in items
            }
        journey = step.journey_id
        outcome = {}
        requests = []
        for item in items:
            partner = item.participant_id.partner_id
            if not partner:
                outcome[item] = (
                    "rejected",
                    self.env._("A letter needs the person's partner (address)."),
                )
                continue
            requests.append(
                {"ref": item.participant_id.res_id, "partner_id": partner.id}
            )
        if not requests:
            return outcome
        engine = self.env["campaign.pressure.engine"]
        message = {
            "weight": 1,
            "exempt": journey.is_transactional,
            "campaign_id": journey.campaign_id.id or None,
            "campaign_tag_ids": tuple(journey.campaign_id.tag_ids.ids),
            "company_id": journey.company_id.id,
        }
        decisions = engine._pressure_evaluate(
            requests, "letter", message=message, lock=True
        )
        self._journey_letters_budget(step, decisions)
        engine._pressure_log(
            decisions,
            "letter",
            "letter",
            {
                "campaign_id": journey.campaign_id.id,
                "res_model": journey.model_name,
                "weight": 1,
                "is_transactional": journey.is_transactional,
                "company_id": journey.company_id.id,
                "user_id": journey.launched_by_id.id,
                **(step._journey_log_cost() or {}),
            },
            state="confirmed",
        )
        for item in items.filtered(lambda i: i not in outcome):
            decision = decisions.get(item.participant_id.res_id)
            if decision and not decision["allowed"]:
                outcome[item] = ("held", decision.get("reason"))
            else:
                outcome[item] = ("done", False)
        return outcome

    def _journey_letters_budget(self, step, decisions):
        """Hold back the letters the journey's campaign cannot pay (in the
        order of the batch), as a mailing's send stops at the budget."""
        allowed = [d for d in decisions.values() if d["allowed"]]
        affordable, args = self._journey_budget_limit(step, "letter", len(allowed))
        if affordable is None:
            return
        engine = self.env["campaign.pressure.engine"]
        render = engine._pressure_reason_renderer()
        for decision in allowed[affordable:]:
            engine._pressure_hold(decision, render, "budget", args)

    def _journey_calls_budget(self, step, items):
        """``{item: ("held", reason)}`` of the calls the journey's campaign
        cannot pay (a call task commits its cost when it is scheduled)."""
        affordable, args = self._journey_budget_limit(step, "phone", len(items))
        if affordable is None:
            return {}
        reason = self.env["campaign.pressure.engine"]._pressure_reason_renderer()(
            "budget", args
        )
        return {item: ("held", reason) for item in items[affordable:]}

    def _journey_budget_limit(self, step, channel, count):
        """How many of ``count`` letters or calls of ``step`` its journey's
        campaign can pay, and the arguments of the reason ``budget`` for the
        others: ``(None, None)`` when the budget does not limit them. The
        reason says what is left, of what budget, at what cost."""
        journey = step.journey_id
        campaign = journey.campaign_id.sudo()
        if not campaign.budget_planned or not count:
            return None, None
        campaign._budget_lock()
        own = step._journey_log_cost()
        cost = (
            own["unit_cost"]
            if own
            else self.env["utm.campaign"]._budget_pricer(self.env["mailing.mailing"])(
                campaign, None, channel, journey.company_id
            )
        )
        affordable, available = campaign._budget_affordable(cost)
        if affordable is None or affordable >= count:
            return None, None
        currency = campaign.budget_currency_id
        return affordable, {
            "campaign_id": campaign.id,
            "remaining": tools.format_amount(self.env, available, currency),
            "budget": tools.format_amount(self.env, campaign.budget_planned, currency),
            "cost": tools.format_amount(self.env, cost, currency),
        }

    def _journey_run_update(self, step, items, now, test_email=None):
        """The step's server action on the batch's records, as the user who
        launched the journey (the action's groups and the user's rights
        apply, not the cron's)."""
        if test_email:
            return {
                item: ("done", self.env._("Test run: the update is not run."))
                for item in items
            }
        journey = step.journey_id
        user = journey.launched_by_id or journey.create_uid
        res_ids = items.participant_id.mapped("res_id")
        action = step.server_action_id.with_user(user).with_context(
            active_model=journey.model_name,
            active_ids=res_ids,
            active_id=res_ids[0],
        )
        try:
            with self.env.cr.savepoint():
                action.run()
        except Exception as error:  # noqa: BLE001 - reported on the items
            _logger.info("Journey %s: server action failed: %s", journey.id, error)
            reason = self.env._("The server action failed: %(error)s", error=str(error))
            return dict.fromkeys(items, ("cancelled", reason))
        return dict.fromkeys(items, ("done", False))

    def _journey_run_wait(self, step, items, now, test_email=None):
        return dict.fromkeys(items, ("done", False))

    # ------------------------------------------------------------------
    # Test mode
    # ------------------------------------------------------------------

    def _journey_test_email(self, step, items, test_email):
        """The step's email rendered for the record and sent to the test
        address: a plain mail, no trace, nothing counted."""
        mailing = step.mailing_id.sudo()
        outcome = {}
        for item in items:
            res_id = item.participant_id.res_id
            body = mailing._render_field("body_html", [res_id], compute_lang=True)[
                res_id
            ]
            subject = mailing._render_field("subject", [res_id], compute_lang=True)[
                res_id
            ]
            self.env["mail.mail"].sudo().create(
                {
                    "email_from": mailing.email_from,
                    "email_to": test_email,
                    "subject": self.env._("[TEST] %(subject)s", subject=subject),
                    "body_html": body,
                    "is_notification": True,
                    "auto_delete": True,
                }
            )
            outcome[item] = (
                "done",
                self.env._("Test run: sent to %(email)s.", email=test_email),
            )
        return outcome

    @api.model
    def _journey_test_run(self, journey, res_id, test_email):
        """Run the journey for one record now: every step in the tree's
        order, delays compressed, triggers taken as met (every branch is
        shown), emails to the test address. Nothing is counted."""
        now = fields.Datetime.now()
        participant_ids = self._journey_enter(
            journey, now, res_ids=[res_id], is_test=True
        )
        if not participant_ids:
            return participant_ids
        Item = self.env["campaign.journey.participant.step"].sudo()
        for _depth in range(50):  # a tree's depth bound
            self.env.flush_all()
            pending = Item.search(
                [
                    ("participant_id", "in", participant_ids),
                    ("state", "=", "scheduled"),
                ]
            )
            if not pending:
                break
            # compressed: everything pending is due now, its trigger met
            # for positive triggers and unmet for negative ones
            fired = {item.id: item.step_id._journey_is_positive() for item in pending}
            self._journey_run_claimed(fired, test_email=test_email)
        self.env["campaign.journey.participant"].browse(participant_ids).write(
            {"state": "completed", "left_date": fields.Datetime.now()}
        )
        return participant_ids
