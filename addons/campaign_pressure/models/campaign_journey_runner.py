import logging
import threading
import time
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .campaign_journey_step import POSITIVE_TRIGGERS

_logger = logging.getLogger(__name__)

# work items claimed, and run, per batch (one mailing send per step and batch)
BATCH_SIZE = 500
# a cron tick stops claiming after this long (the next tick goes on)
TICK_SECONDS = 240
# event entry: records written this long before the watermark are scanned
# again (a write committed late by a long transaction is not missed); the
# entry statement never enters a record twice for the same write
EVENT_OVERLAP = timedelta(minutes=10)
# an email/SMS batch left in "sending" this long ago was interrupted
STALE_SENDING = timedelta(hours=1)


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
    def _journey_tick(self, batch_size, max_seconds):
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
    # Entry
    # ------------------------------------------------------------------

    @api.model
    def _journey_person_columns(self, model, alias):
        """SQL of the record's partner and normalised email columns."""
        records = self.env[model]
        if model == "res.partner":
            partner = SQL.identifier(alias, "id")
        else:
            fname = next(
                (
                    f
                    for f in records._mail_get_partner_fields()
                    if records._fields[f].store
                    and records._fields[f].type == "many2one"
                ),
                None,
            )
            partner = SQL.identifier(alias, fname) if fname else SQL("NULL::int")
        email_fname = records._mail_get_primary_email_field()
        if email_fname and records._fields[email_fname].store:
            email = SQL(
                "NULLIF(lower(trim(%s)), '')", SQL.identifier(alias, email_fname)
            )
        else:
            email = SQL("NULL::varchar")
        return partner, email

    @api.model
    def _journey_enter(self, journey, now, res_ids=None, is_test=False):
        """Enter the records matching the journey's entry (launch: all of
        them; event: written since the watermark; date: whose date plus
        offset fell since the watermark) as participants, and schedule their
        first steps. Returns the new participants' ids."""
        journey = journey.sudo()
        Model = self.env[journey.model_name].sudo()
        self.env.flush_all()  # the raw statements below read the tables
        domain = journey._journey_parse_domain(journey.domain)
        if res_ids is not None:
            domain = [*domain, ("id", "in", list(res_ids))]
        query = Model._search(domain)
        alias = Model._table
        watermark = journey.last_entry_scan or now
        written = SQL("NULL::timestamp")
        if not is_test and journey.entry_mode == "event":
            written = SQL.identifier(alias, "write_date")
            query.add_where(SQL("%s > %s", written, watermark - EVENT_OVERLAP))
        elif not is_test and journey.entry_mode == "date":
            moment = SQL(
                "(%s)::timestamp + %s * interval '1 day'",
                SQL.identifier(alias, journey.date_field),
                journey.date_offset_days,
            )
            query.add_where(SQL("%s > %s AND %s <= %s", moment, watermark, moment, now))
        partner, email = self._journey_person_columns(journey.model_name, alias)
        record_key = SQL("'r:' || %s", SQL.identifier(alias, "id"))
        if journey.unique_key == "email":
            key = SQL(
                "COALESCE('e:' || %s, 'p:' || %s, %s)", email, partner, record_key
            )
        else:
            key = SQL(
                "COALESCE('p:' || %s, 'e:' || %s, %s)", partner, email, record_key
            )
        if is_test:
            # a test participant of its own, never counted nor blocking
            key = SQL("'test:' || %s", SQL.identifier(alias, "id"))
        candidates = query.select(
            SQL("%s AS res_id", SQL.identifier(alias, "id")),
            SQL("%s AS key", key),
            SQL("%s AS partner", partner),
            SQL("%s AS email", email),
            SQL("%s AS written", written),
        )
        policy = {
            "never": SQL("TRUE"),
            "after_leaving": SQL("p.state = 'running'"),
            "period": SQL(
                "(p.state = 'running' OR p.entered_date > %s)",
                now - timedelta(days=journey.reentry_days or 0),
            ),
        }[journey.reentry]
        if is_test:
            policy = SQL("FALSE")
        self.env["campaign.journey.participant"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                WITH cand AS (%(candidates)s),
                     person AS (SELECT DISTINCT ON (key) * FROM cand
                                 ORDER BY key, res_id)
                INSERT INTO campaign_journey_participant
                    (journey_id, company_id, res_model, res_id, person_key,
                     partner_id, email, state, is_test, entered_date,
                     create_uid, create_date, write_uid, write_date)
                SELECT %(journey)s, %(company)s, %(model)s, c.res_id, c.key,
                       c.partner, c.email, 'running', %(test)s, %(now)s,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM person c
                 WHERE NOT EXISTS (
                       SELECT FROM campaign_journey_participant p
                        WHERE p.journey_id = %(journey)s
                          AND p.person_key = c.key AND NOT p.is_test
                          AND (%(policy)s OR p.entered_date >= c.written))
                ON CONFLICT DO NOTHING
                RETURNING id
                """,
                candidates=candidates,
                journey=journey.id,
                company=journey.company_id.id,
                model=journey.model_name,
                test=is_test,
                now=now,
                uid=self.env.uid,
                policy=policy,
            )
        )
        participant_ids = [row[0] for row in self.env.cr.fetchall()]
        if not is_test and journey.entry_mode in ("event", "date"):
            journey.last_entry_scan = now
        roots = journey.step_ids.filtered(lambda s: not s.parent_id)
        for step in roots:
            self._journey_schedule(step, participant_ids, now, is_test=is_test)
        self.env["campaign.journey.participant"].invalidate_model()
        self.env["campaign.journey.participant.step"].invalidate_model()
        return participant_ids

    @api.model
    def _journey_schedule(
        self, step, participant_ids, now, parent_item_ids=None, is_test=False
    ):
        """Work items of ``step`` for participants (one SQL insert)."""
        if not participant_ids:
            return
        date = now + step._journey_delay()
        parents = parent_item_ids or [None] * len(participant_ids)
        self.env["campaign.journey.participant.step"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO campaign_journey_participant_step
                    (participant_id, parent_item_id, step_id, journey_id,
                     company_id, kind, state, scheduled_date, first_date,
                     is_test, is_fallback,
                     create_uid, create_date, write_uid, write_date)
                SELECT x.pid, x.parent, %(step)s, %(journey)s, %(company)s,
                       %(kind)s, 'scheduled', %(date)s, %(date)s, %(test)s,
                       FALSE, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(pids)s::int[], %(parents)s::int[]) AS x(pid, parent)
                """,
                step=step.id,
                journey=step.journey_id.id,
                company=step.journey_id.company_id.id,
                kind=step.kind,
                date=date,
                test=is_test,
                uid=self.env.uid,
                now=now,
                pids=list(participant_ids),
                parents=list(parents),
            )
        )

    # ------------------------------------------------------------------
    # Exit, goal, completion, cancellation
    # ------------------------------------------------------------------

    @api.model
    def _journey_leave(self, journey, res_ids=None):
        """Participants whose record meets the goal (then the exit
        criteria) leave; their pending steps are cancelled. Returns the
        participants that left."""
        journey = journey.sudo()
        Model = self.env[journey.model_name].sudo()
        self.env.flush_all()  # the raw statements below read the tables
        left = []
        for state, text in (
            ("goal", journey.goal_domain),
            ("exited", journey.exit_domain),
        ):
            domain = journey._journey_parse_domain(text)
            if not domain:
                continue
            if res_ids is not None:
                domain = [*domain, ("id", "in", list(res_ids))]
            matching = Model._search(domain).subselect()
            self.env["campaign.journey.participant"].flush_model()
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE campaign_journey_participant
                       SET state = %(state)s, left_date = %(now)s
                     WHERE journey_id = %(journey)s AND state = 'running'
                       AND NOT is_test AND res_id IN %(matching)s
                    RETURNING id
                    """,
                    state=state,
                    now=fields.Datetime.now(),
                    journey=journey.id,
                    matching=matching,
                )
            )
            ids = [row[0] for row in self.env.cr.fetchall()]
            if ids:
                reason = (
                    self.env._("The person reached the journey's goal.")
                    if state == "goal"
                    else self.env._("The person met the journey's exit criteria.")
                )
                self._journey_cancel_items(SQL("participant_id = ANY(%s)", ids), reason)
                left += ids
        self.env["campaign.journey.participant"].invalidate_model()
        return left

    @api.model
    def _journey_complete(self, journeys, participant_ids=None):
        """Running participants without pending work completed the journey
        (``participant_ids``: only those, the participants of a batch)."""
        if not journeys:
            return
        self.env.flush_all()
        only = (
            SQL("AND p.id = ANY(%s)", list(participant_ids))
            if participant_ids is not None
            else SQL()
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE campaign_journey_participant p
                   SET state = 'completed', left_date = %(now)s
                 WHERE p.journey_id = ANY(%(journeys)s) AND p.state = 'running'
                   %(only)s
                   AND NOT EXISTS (
                       SELECT FROM campaign_journey_participant_step i
                        WHERE i.participant_id = p.id
                          AND i.state IN ('scheduled', 'sending'))
                """,
                now=fields.Datetime.now(),
                journeys=journeys.ids,
                only=only,
            )
        )
        self.env["campaign.journey.participant"].invalidate_model()

    @api.model
    def _journey_cancel_items(self, where, reason):
        self.env["campaign.journey.participant.step"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                UPDATE campaign_journey_participant_step
                   SET state = 'cancelled', reason = %s, write_date = %s
                 WHERE state = 'scheduled' AND %s
                """,
                reason,
                fields.Datetime.now(),
                where,
            )
        )
        self.env["campaign.journey.participant.step"].invalidate_model()

    @api.model
    def _journey_cancel_pending(self, journeys, reason):
        self._journey_cancel_items(SQL("journey_id = ANY(%s)", journeys.ids), reason)

    @api.model
    def _journey_cancel_pending_steps(self, steps, reason):
        self._journey_cancel_items(SQL("step_id = ANY(%s)", steps.ids), reason)

    # ------------------------------------------------------------------
    # Claim
    # ------------------------------------------------------------------

    @api.model
    def _journey_fired_sql(self):
        """Whether the event a step's trigger watches happened (aliases: s
        the step, pi the parent work item, t its trace)."""
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
                ELSE FALSE
            END
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
        now = fields.Datetime.now()
        journey = step.journey_id
        Model = self.env[journey.model_name].sudo()
        outcome = {}  # item -> (state, reason)
        res_ids = items.participant_id.mapped("res_id")
        existing = set(Model.browse(res_ids).exists().ids)
        if not items[:1].is_test:
            left = set(self._journey_leave(journey, list(existing)))
        else:
            left = set()
        to_run = items.browse()
        for item in items:
            participant = item.participant_id
            if participant.id in left or participant.state != "running":
                outcome[item] = (
                    "cancelled",
                    self.env._("The person left the journey."),
                )
            elif participant.res_id not in existing:
                outcome[item] = ("cancelled", self.env._("The record was deleted."))
            elif (
                not item.is_fallback  # a fallback or a retry: its trigger is past
                and step._journey_is_positive()
                and not fired.get(item.id)
            ):
                outcome[item] = (
                    "skipped",
                    self.env._("What the step waits for did not happen in time."),
                )
            elif (
                not item.is_fallback
                and step._journey_is_negative()
                and fired.get(item.id)
            ):
                outcome[item] = (
                    "skipped",
                    self.env._("The person did what the step's trigger excludes."),
                )
            elif (
                step.expiry_hours
                and not item.is_test
                and item.scheduled_date + timedelta(hours=step.expiry_hours) < now
            ):
                outcome[item] = (
                    "expired",
                    self.env._("Run too late: the step expired."),
                )
            elif not step.active:
                outcome[item] = ("cancelled", self.env._("The step was removed."))
            else:
                to_run |= item
        if to_run and step.filter_domain:
            domain = journey._journey_parse_domain(step.filter_domain)
            ids = to_run.participant_id.mapped("res_id")
            matching = set(Model.search([*domain, ("id", "in", ids)]).ids)
            for item in to_run:
                if item.participant_id.res_id not in matching:
                    outcome[item] = (
                        "rejected",
                        self.env._("The record did not match the step filter."),
                    )
            to_run = to_run.filtered(lambda i: i not in outcome)
        # one message per record and batch: a record of two participants
        # (another key since) is run by the next batch
        seen, deferred = set(), to_run.browse()
        for item in to_run:
            if item.participant_id.res_id in seen:
                deferred |= item
            seen.add(item.participant_id.res_id)
        to_run -= deferred
        if to_run:
            runner = getattr(self, f"_journey_run_{step.kind}")
            outcome.update(runner(step, to_run, now, test_email=test_email))
        self._journey_finish(step, outcome, now)

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
        if step.hold_action == "skip":
            return
        Item = self.env["campaign.journey.participant.step"].sudo()
        if step.hold_action == "fallback" and step.fallback_step_id.active:
            Item.create(
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
            return
        if step.hold_action != "retry":
            return
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
        self.env.cr.execute(SQL("SELECT COALESCE(MAX(id), 0) FROM mailing_trace"))
        min_trace_id = self.env.cr.fetchone()[0]
        res_ids = items.participant_id.mapped("res_id")
        mailing.action_send_mail(res_ids)
        return self._journey_read_traces(mailing, items, min_trace_id)

    def _journey_read_traces(self, mailing, items, min_trace_id=0):
        """The outcome of sent items from their traces: held when the
        pressure engine held the message back, with its reason."""
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
        for item in items:
            trace = traces.browse(trace_by_res.get(item.participant_id.res_id))
            if not trace:
                outcome[item] = ("cancelled", self.env._("Odoo sent no message."))
                continue
            item.trace_id = trace
            if trace.failure_type == "pressure":
                outcome[item] = ("held", trace.pressure_reason_text)
            else:
                outcome[item] = ("done", False)
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
        res_ids = items.participant_id.mapped("res_id")
        if step.activity_type_id.pressure_marketing_call:
            refused = {
                res_id: decision
                for res_id, _partner, decision in self.env[
                    "mail.activity"
                ]._pressure_check_calls(journey.model_name, res_ids)
                if decision.get("phone_action", "block") == "block"
            }
            for item in items:
                decision = refused.get(item.participant_id.res_id)
                if decision:
                    outcome[item] = ("held", decision.get("reason"))
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
                    "summary": step.activity_summary or step.name,
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
        return outcome

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
