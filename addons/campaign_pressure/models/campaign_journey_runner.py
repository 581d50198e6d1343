import threading
import time
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .campaign_journey_triggers import POSITIVE_TRIGGERS

# work items claimed, and run, per batch (one mailing send per step and batch)
BATCH_SIZE = 500
# a cron tick stops claiming after this long (the next tick goes on)
TICK_SECONDS = 240


class CampaignJourneyRunner(models.AbstractModel):
    """Entries, exits and the work items of the running journeys.

    Everything is set-based: entries are one ``INSERT ... SELECT`` per
    journey (the partial unique index on running participants makes a
    concurrent entry a no-op), exits and goals one ``UPDATE`` per journey,
    and due work items are claimed ``BATCH_SIZE`` at a time with ``FOR
    UPDATE SKIP LOCKED``, moved out of ``scheduled`` in the same transaction
    and committed per batch (cron mode): two workers never run one item.
    """

    _name = "campaign.journey.runner"
    _description = "Journey Runner"

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------

    @api.model
    def _cron_run_journeys(self, batch_size=BATCH_SIZE, max_seconds=TICK_SECONDS):
        """One tick: entries, exits and goals, then due work items in batches
        until none is due or the tick's time is up."""
        return self.sudo()._journey_tick(batch_size, max_seconds)

    @api.model
    def _journey_tick(self, batch_size, max_seconds, auto_commit=None):
        """``auto_commit``: commit per journey and per batch (default: when
        not testing); False runs the whole tick in the caller's transaction
        (the demo data plays journeys inside the installation)."""
        if auto_commit is None:
            auto_commit = not getattr(threading.current_thread(), "testing", False)
        journeys = self.env["campaign.journey"].search([("state", "=", "running")])
        now = fields.Datetime.now()
        for journey in journeys:
            if journey.entry_mode in ("event", "date"):
                self._journey_enter(journey, now)
            self._journey_leave(journey)
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
        self._journey_recover_sending()
        started = time.monotonic()
        done = 0
        while time.monotonic() - started < max_seconds:
            claimed = self._journey_claim(batch_size)
            if not claimed:
                break
            participant_ids = self._journey_run_claimed(claimed)
            done += len(claimed)
            self._journey_complete(journeys, participant_ids)
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            self.env["ir.cron"]._notify_progress(
                done=done, remaining=self._journey_due_count()
            )
        self._journey_complete(journeys)
        return done

    @api.model
    def _journey_due_count(self):
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM campaign_journey_participant_step "
                "WHERE state = 'scheduled' AND scheduled_date <= %s AND NOT is_test",
                fields.Datetime.now(),
            )
        )
        return self.env.cr.fetchone()[0]

    # ------------------------------------------------------------------
    # Claim
    # ------------------------------------------------------------------

    @api.model
    def _journey_fired_sql(self):
        """Whether the event a step's trigger watches happened (aliases: s
        the step, i the work item, p its participant, pi the parent work
        item, t its trace)."""
        return SQL(
            """
            CASE s.trigger
                WHEN 'email_opened' THEN t.open_datetime IS NOT NULL
                                      OR t.trace_status IN ('open', 'reply')
                WHEN 'email_not_opened' THEN t.open_datetime IS NOT NULL
                                      OR t.trace_status IN ('open', 'reply')
                WHEN 'email_clicked' THEN t.links_click_datetime IS NOT NULL
                WHEN 'email_not_clicked' THEN t.links_click_datetime IS NOT NULL
                WHEN 'email_replied' THEN t.reply_datetime IS NOT NULL
                                       OR t.trace_status = 'reply'
                WHEN 'email_not_replied' THEN t.reply_datetime IS NOT NULL
                                       OR t.trace_status = 'reply'
                WHEN 'email_bounced' THEN t.trace_status = 'bounce'
                WHEN 'sms_clicked' THEN t.links_click_datetime IS NOT NULL
                WHEN 'sms_not_clicked' THEN t.links_click_datetime IS NOT NULL
                WHEN 'activity_done' THEN pi.activity_done_date IS NOT NULL
                WHEN 'activity_not_done' THEN pi.activity_done_date IS NOT NULL
                WHEN 'response' THEN %(response)s
                WHEN 'response_none' THEN %(response)s
                ELSE FALSE
            END
            """,
            response=self._journey_response_sql(),
        )

    @api.model
    def _journey_response_sql(self):
        """Whether the person (p the participant) registered a response of
        the step's kind and reason within the step's window: from the
        parent's run (the entry for a first step) to the step's time."""
        return SQL(
            """
            EXISTS (
                SELECT FROM campaign_response r
                 WHERE (r.partner_id = p.partner_id
                        OR (p.partner_id IS NULL
                            AND lower(trim(r.email)) = p.email))
                   AND r.date >= COALESCE(pi.run_date, p.entered_date)
                   AND r.date <= i.scheduled_date
                   AND (s.response_polarity IS NULL
                        OR r.polarity = s.response_polarity)
                   AND (s.response_reason_id IS NULL
                        OR r.reason_id = s.response_reason_id))
            """
        )

    @api.model
    def _journey_claim(self, limit, is_test=False, participant_ids=None):
        """Lock up to ``limit`` due work items (skipping those another worker
        holds): ``{item_id: fired}``, ``fired`` whether the event its
        trigger watches happened. Due: planned time reached, or the event of
        a positive trigger seen within its window."""
        self.env.flush_all()
        now = fields.Datetime.now()
        fired = self._journey_fired_sql()
        self.env.cr.execute(
            SQL(
                """
                SELECT i.id, COALESCE(%(fired)s, FALSE)
                  FROM campaign_journey_participant_step i
                  JOIN campaign_journey_step s ON s.id = i.step_id
                  JOIN campaign_journey j ON j.id = i.journey_id
                  JOIN campaign_journey_participant p ON p.id = i.participant_id
                  LEFT JOIN campaign_journey_participant_step pi
                         ON pi.id = i.parent_item_id
                  LEFT JOIN mailing_trace t ON t.id = pi.trace_id
                 WHERE i.state = 'scheduled' AND i.is_test = %(test)s
                   AND (j.state = 'running' OR %(test)s)
                   %(participants)s
                   AND (i.scheduled_date <= %(now)s
                        OR (s.trigger IN %(positive)s AND NOT i.is_fallback
                            AND %(fired)s))
                 ORDER BY i.scheduled_date, i.id
                 LIMIT %(limit)s
                 FOR UPDATE OF i SKIP LOCKED
                """,
                fired=fired,
                test=is_test,
                participants=SQL("AND i.participant_id = ANY(%s)", participant_ids)
                if participant_ids
                else SQL(),
                now=now,
                positive=POSITIVE_TRIGGERS,
                limit=limit,
            )
        )
        return dict(self.env.cr.fetchall())

    # ------------------------------------------------------------------
    # Running claimed items
    # ------------------------------------------------------------------

    @api.model
    def _journey_run_claimed(self, claimed, test_email=None):
        """Run locked work items ``{item_id: fired}``, grouped by step;
        returns their participants' ids."""
        Item = self.env["campaign.journey.participant.step"].sudo()
        items = Item.browse(list(claimed))
        items.fetch(["step_id", "participant_id", "scheduled_date", "state"])
        by_step = defaultdict(lambda: Item)
        for item in items:
            by_step[item.step_id] |= item
        for step, step_items in by_step.items():
            self._journey_run_step(step, step_items, claimed, test_email=test_email)
        return items.participant_id.ids

    @api.model
    def _journey_run_step(self, step, items, fired, test_email=None):
        """Run the items of one step: those that may no longer run get
        their outcome, the rest go to the kind's runner in one batch."""
        now = fields.Datetime.now()
        journey = step.journey_id
        Model = self.env[journey.model_name].sudo()
        res_ids = items.participant_id.mapped("res_id")
        existing = set(Model.browse(res_ids).exists().ids)
        if not items[:1].is_test:
            left = set(self._journey_leave(journey, list(existing)))
        else:
            left = set()
        outcome = {}  # item -> (state, reason)
        for item in items:
            verdict = self._journey_gate(step, item, fired, left, existing, now)
            if verdict:
                outcome[item] = verdict
        to_run = items.filtered(lambda i: i not in outcome)
        if to_run and step.filter_domain:
            outcome.update(self._journey_filter_rejects(step, to_run))
            to_run = to_run.filtered(lambda i: i not in outcome)
        to_run = self._journey_one_per_record(to_run)
        if to_run:
            runner = getattr(self, f"_journey_run_{step.kind}")
            outcome.update(runner(step, to_run, now, test_email=test_email))
        self._journey_finish(step, outcome, now)

    def _journey_gate(self, step, item, fired, left, existing, now):
        """Why a claimed item does not run, as ``(state, reason)``; None
        when it runs."""
        participant = item.participant_id
        # a fallback or a retry: its trigger is past
        watches = not item.is_fallback
        if participant.id in left or participant.state != "running":
            return ("cancelled", self.env._("The person left the journey."))
        if participant.res_id not in existing:
            return ("cancelled", self.env._("The record was deleted."))
        if watches and step._journey_is_positive() and not fired.get(item.id):
            return (
                "skipped",
                self.env._("What the step waits for did not happen in time."),
            )
        if watches and step._journey_is_negative() and fired.get(item.id):
            return (
                "skipped",
                self.env._("The person did what the step's trigger excludes."),
            )
        if (
            step.expiry_hours
            and not item.is_test
            and item.scheduled_date + timedelta(hours=step.expiry_hours) < now
        ):
            return ("expired", self.env._("Run too late: the step expired."))
        if not step.active:
            return ("cancelled", self.env._("The step was removed."))
        return None

    def _journey_filter_rejects(self, step, items):
        """``{item: ("rejected", reason)}`` of the items whose record does
        not match the step filter at run time."""
        journey = step.journey_id
        domain = journey._journey_parse_domain(step.filter_domain)
        ids = items.participant_id.mapped("res_id")
        Model = self.env[journey.model_name].sudo()
        matching = set(Model.search([*domain, ("id", "in", ids)]).ids)
        reason = self.env._("The record did not match the step filter.")
        return {
            item: ("rejected", reason)
            for item in items
            if item.participant_id.res_id not in matching
        }

    def _journey_one_per_record(self, items):
        """One message per record and batch: a record of two participants
        (another key since) is run by the next batch."""
        seen, deferred = set(), items.browse()
        for item in items:
            if item.participant_id.res_id in seen:
                deferred |= item
            seen.add(item.participant_id.res_id)
        return items - deferred

    def _journey_finish(self, step, outcome, now):
        """Write the items' outcome, schedule the children of the done ones
        and apply the step's hold action to the held ones."""
        by_result = defaultdict(list)
        for item, (state, reason) in outcome.items():
            by_result[state, reason].append(item.id)
        Item = self.env["campaign.journey.participant.step"].sudo()
        for (state, reason), ids in by_result.items():
            Item.browse(ids).write(
                {"state": state, "reason": reason or False, "run_date": now}
            )
        done = [item for item, (state, _r) in outcome.items() if state == "done"]
        held = [item for item, (state, _r) in outcome.items() if state == "held"]
        is_test = any(item.is_test for item in outcome)
        for child in step.child_ids.filtered("active"):
            self._journey_schedule(
                child,
                [item.participant_id.id for item in done],
                now,
                parent_item_ids=[item.id for item in done],
                is_test=is_test,
            )
        if held:
            self._journey_hold(step, held, now)

    def _journey_hold(self, step, held, now):
        """The step's hold action on its held items: skip (nothing more),
        fall back to another step now, or retry later within the period."""
        if step.hold_action == "fallback" and step.fallback_step_id.active:
            self._journey_hold_fallback(step, held, now)
        elif step.hold_action == "retry":
            self._journey_hold_retry(step, held, now)

    def _journey_hold_fallback(self, step, held, now):
        self.env["campaign.journey.participant.step"].sudo().create(
            [
                {
                    "participant_id": item.participant_id.id,
                    "parent_item_id": item.id,
                    "step_id": step.fallback_step_id.id,
                    "journey_id": step.journey_id.id,
                    "company_id": step.journey_id.company_id.id,
                    "state": "scheduled",
                    "scheduled_date": now,
                    "first_date": now,
                    "is_fallback": True,
                    "is_test": item.is_test,
                }
                for item in held
            ]
        )

    def _journey_hold_retry(self, step, held, now):
        Item = self.env["campaign.journey.participant.step"].sudo()
        retry_date = now + timedelta(hours=step.retry_hours)
        retries, given_up = [], []
        for item in held:
            first = item.first_date or item.scheduled_date
            if retry_date <= first + timedelta(days=step.retry_max_days):
                retries.append(
                    {
                        "participant_id": item.participant_id.id,
                        "parent_item_id": item.parent_item_id.id,
                        "step_id": step.id,
                        "journey_id": step.journey_id.id,
                        "company_id": step.journey_id.company_id.id,
                        "state": "scheduled",
                        "scheduled_date": retry_date,
                        "first_date": first,
                        # a retry runs on its own date, whatever the trigger
                        "is_fallback": True,
                        "is_test": item.is_test,
                    }
                )
            else:
                given_up.append(item.id)
        Item.create(retries)
        for item in Item.browse(given_up):
            item.reason = self.env._(
                "%(reason)s No more retries: the step's retry period is over.",
                reason=item.reason or "",
            )
