from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

# event entry: records written this long before the watermark are scanned
# again (a write committed late by a long transaction is not missed); the
# entry statement never enters a record twice for the same write
EVENT_OVERLAP = timedelta(minutes=10)


class CampaignJourneyRunner(models.AbstractModel):
    """Entries, exits, goals, completion and cancellation: one set-based
    statement per journey (see the runner's class docstring)."""

    _inherit = "campaign.journey.runner"

    # ------------------------------------------------------------------
    # Entry
    # ------------------------------------------------------------------

    @api.model
    def _journey_partner_fname(self, model, recipient_field=None):
        """The column of the record's person: the journey's recipient
        field, the partner's own id, or the model's first stored partner
        field (None: the model has no person, only an email)."""
        if recipient_field:
            return recipient_field
        if model == "res.partner":
            return "id"
        records = self.env[model]
        return next(
            (
                f
                for f in records._mail_get_partner_fields()
                if records._fields[f].store and records._fields[f].type == "many2one"
            ),
            None,
        )

    @api.model
    def _journey_person_columns(self, model, alias, recipient_field=None):
        """SQL of the record's partner (the journey's recipient field when
        it has one) and normalised email columns."""
        records = self.env[model]
        fname = self._journey_partner_fname(model, recipient_field)
        partner = SQL.identifier(alias, fname) if fname else SQL("NULL::int")
        email_fname = records._mail_get_primary_email_field()
        if recipient_field:
            email = SQL(
                "(SELECT NULLIF(lower(trim(rp.email)), '') FROM res_partner rp "
                "WHERE rp.id = %s)",
                partner,
            )
        elif email_fname and records._fields[email_fname].store:
            email = SQL(
                "NULLIF(lower(trim(%s)), '')", SQL.identifier(alias, email_fname)
            )
        else:
            email = SQL("NULL::varchar")
        return partner, email

    @api.model
    def _journey_enter(
        self, journey, now, res_ids=None, is_test=False, partner_ids=None
    ):
        """Enter the records matching the journey's entry (launch: all of
        them; event: written since the watermark; date: whose date plus
        offset fell since the watermark; ``partner_ids``: the records of
        these people, now, whatever the entry mode) as participants, and
        schedule their first steps. Returns the new participants' ids."""
        journey = journey.sudo()
        self.env.flush_all()  # the raw statements below read the tables
        candidates = self._journey_entry_candidates(
            journey, now, res_ids, is_test, partner_ids
        )
        policy = self._journey_reentry_policy(journey, now, is_test)
        participant_ids = self._journey_insert_participants(
            journey, candidates, policy, now, is_test
        )
        if not is_test and partner_ids is None and journey.entry_mode != "launch":
            journey.last_entry_scan = now
        roots = journey.step_ids.filtered(lambda s: not s.parent_id)
        for step in roots:
            self._journey_schedule(step, participant_ids, now, is_test=is_test)
        self.env["campaign.journey.participant"].invalidate_model()
        self.env["campaign.journey.participant.step"].invalidate_model()
        return participant_ids

    @api.model
    def _journey_enter_people(self, journey, partner_ids, now):
        """A response starts ``journey`` for the people who gave it: the
        records of the journey's model whose person they are (its recipient
        field or partner field) and that match its entry domain enter now,
        whatever its entry mode; the unique key and the re-entry policy
        apply as for any entry. Nothing for a journey that is not running."""
        if journey.sudo().state != "running" or not partner_ids:
            return []
        return self._journey_enter(journey, now, partner_ids=list(partner_ids))

    @api.model
    def _journey_entry_candidates(
        self, journey, now, res_ids, is_test, partner_ids=None
    ):
        """SELECT of the records that enter: ``res_id, key, partner, email,
        written`` (the write an event entry reacts to)."""
        Model = self.env[journey.model_name].sudo()
        domain = journey._journey_parse_domain(journey.domain)
        if res_ids is not None:
            domain = [*domain, ("id", "in", list(res_ids))]
        query = Model._search(domain)
        alias = Model._table
        watermark = journey.last_entry_scan or now
        written = SQL("NULL::timestamp")
        partner, email = self._journey_person_columns(
            journey.model_name, alias, journey.recipient_field
        )
        if partner_ids is not None:
            query.add_where(SQL("%s = ANY(%s)", partner, partner_ids))
        elif not is_test and journey.entry_mode == "event":
            written = SQL.identifier(alias, "write_date")
            query.add_where(SQL("%s > %s", written, watermark - EVENT_OVERLAP))
        elif not is_test and journey.entry_mode == "date":
            moment = SQL(
                "(%s)::timestamp + %s * interval '1 day'",
                SQL.identifier(alias, journey.date_field),
                journey.date_offset_days,
            )
            query.add_where(SQL("%s > %s AND %s <= %s", moment, watermark, moment, now))
        key = self._journey_person_key(journey, alias, partner, email, is_test)
        return query.select(
            SQL("%s AS res_id", SQL.identifier(alias, "id")),
            SQL("%s AS key", key),
            SQL("%s AS partner", partner),
            SQL("%s AS email", email),
            SQL("%s AS written", written),
            SQL("%s AS period", self._journey_period_column(journey, alias, now)),
        )

    @api.model
    def _journey_period_column(self, journey, alias, now):
        """SQL of what a person enters once for: the record's value of the
        journey's field, or the academic year of the entry."""
        if journey.reentry == "field":
            return SQL("(%s)::varchar", SQL.identifier(alias, journey.reentry_field))
        if journey.reentry == "academic_year":
            return SQL("%s::varchar", journey._journey_period_key(now))
        return SQL("NULL::varchar")

    @api.model
    def _journey_person_key(self, journey, alias, partner, email, is_test):
        """SQL of the unique key: one running participant per person."""
        record_key = SQL("'r:' || %s", SQL.identifier(alias, "id"))
        if is_test:
            # a test participant of its own, never counted nor blocking
            return SQL("'test:' || %s", SQL.identifier(alias, "id"))
        if journey.unique_key == "email":
            return SQL(
                "COALESCE('e:' || %s, 'p:' || %s, %s)", email, partner, record_key
            )
        return SQL("COALESCE('p:' || %s, 'e:' || %s, %s)", partner, email, record_key)

    @api.model
    def _journey_reentry_policy(self, journey, now, is_test):
        """SQL on a former participant ``p`` of the same person: true when
        it keeps the person out."""
        if is_test:
            return SQL("FALSE")
        # once per field value or academic year: a record without a value
        # enters once
        once_per_value = SQL(
            "(p.state = 'running' OR p.period_key IS NOT DISTINCT FROM c.period)"
        )
        return {
            "never": SQL("TRUE"),
            "after_leaving": SQL("p.state = 'running'"),
            "period": SQL(
                "(p.state = 'running' OR p.entered_date > %s)",
                now - timedelta(days=journey.reentry_days or 0),
            ),
            "field": once_per_value,
            "academic_year": once_per_value,
        }[journey.reentry]

    @api.model
    def _journey_insert_participants(self, journey, candidates, policy, now, is_test):
        """One INSERT ... SELECT of the candidates, one per person; the
        partial unique index makes a concurrent entry a no-op."""
        self.env["campaign.journey.participant"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                WITH cand AS (%(candidates)s),
                     person AS (SELECT DISTINCT ON (key) * FROM cand
                                 ORDER BY key, res_id)
                INSERT INTO campaign_journey_participant
                    (journey_id, company_id, res_model, res_id, person_key,
                     partner_id, email, period_key, state, is_test,
                     entered_date, create_uid, create_date, write_uid,
                     write_date)
                SELECT %(journey)s, %(company)s, %(model)s, c.res_id, c.key,
                       c.partner, c.email, c.period, 'running', %(test)s,
                       %(now)s, %(uid)s, %(now)s, %(uid)s, %(now)s
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
        return [row[0] for row in self.env.cr.fetchall()]

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
