import logging
import random
import time
from contextlib import contextmanager

import psycopg2.errors
from odoo import SUPERUSER_ID, api, models, tools
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..engine import sql

_logger = logging.getLogger(__name__)

RETRY_ERRORS = (psycopg2.errors.SerializationFailure, psycopg2.errors.DeadlockDetected)
# cursor cache: depth of the send batches in progress (mail.mail._send)
TRACE_SYNC_BATCH = "campaign_pressure_trace_sync_batch"
# precommit data: trace ids whose reservations wait for the end of the batch
TRACE_SYNC_PENDING = "campaign_pressure.trace_sync"


class CampaignPressureEngine(models.AbstractModel):
    """What the send paths ask of the pressure engine around a check: who
    may decide and whether the checks apply, the requests of a mailing's
    records, the values of its message and the state of its send, the
    reservations confirmed, released or retried with the send."""

    _inherit = "campaign.pressure.engine"

    @api.model
    def _pressure_is_manager(self):
        """Whether the caller may take a pressure manager's decisions (rules,
        transactional messages, cool-downs): server-side code (``sudo()``,
        crons) or a member of the group."""
        return self.env.su or self.env.user.has_group(
            "campaign_pressure.group_pressure_manager"
        )

    @api.model
    def _pressure_check_manager(self, message):
        """Refuse with ``message`` (translated) unless the caller is a
        pressure manager (see :meth:`_pressure_is_manager`)."""
        if not self._pressure_is_manager():
            raise AccessError(message)

    @api.model
    def _pressure_disabled(self):
        """Whether the send paths skip the pressure checks: only when the
        system user itself asks (context ``campaign_pressure_disable`` in a
        shell, a script or the benchmark of the stock send path).

        Never for a user's request: over JSON-RPC any user sends any
        context, and ``sudo()`` keeps the request's context, so ``env.su``
        would not tell a server-side decision from a client's flag. The
        system user cannot log in; crons run as it with the context stored
        on the cron, not a client's."""
        return self.env.uid == SUPERUSER_ID and bool(
            self.env.context.get("campaign_pressure_disable")
        )

    @api.model
    def _pressure_sending(self):
        """State of the sends in progress on this cursor (``mailing id ->
        {"reserved": ..., "ahead": ...}``), kept in the cursor's cache: it
        survives the commits a send makes between batches, and costs no
        context variant (every environment lookup compares contexts)."""
        return self.env.cr.cache.setdefault("campaign_pressure_sending", {})

    @api.model
    def _pressure_message_values(self, mailing):
        if not mailing:
            return {"reserved": {}}
        sending = self._pressure_sending().get(mailing.id) or {}
        mailing = mailing.sudo()
        return {
            "weight": mailing.pressure_weight or 1,
            "exempt": mailing.pressure_exempt,
            "campaign_id": mailing.campaign_id.id or None,
            "campaign_tag_ids": tuple(mailing.campaign_id.tag_ids.ids),
            "company_id": self.env.company.id,
            # person key -> contacts planned by mailings winning arbitration
            "reserved": sending.get("reserved") or {},
        }

    @api.model
    def _pressure_release_documents(self, mailing, model, res_ids):
        """Release the reservations a mailing holds for records that have no
        mail (no trace) of it: recipients Odoo itself cancelled, or left
        over by an interrupted send."""
        if not res_ids or not mailing:
            return
        self.env["campaign.pressure.contact"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                UPDATE campaign_pressure_contact c
                   SET state = 'released'
                 WHERE c.mailing_id = %(mailing)s AND c.res_model = %(model)s
                   AND c.res_id = ANY(%(res_ids)s) AND c.state = 'reserved'
                   AND NOT EXISTS (
                       SELECT FROM mailing_trace t
                        WHERE t.mass_mailing_id = c.mailing_id
                          AND t.model = c.res_model AND t.res_id = c.res_id)
                """,
                mailing=mailing.id,
                model=model,
                res_ids=sql.int_array(res_ids),
            )
        )
        self.env["campaign.pressure.contact"].invalidate_model(["state"])

    @contextmanager
    def _pressure_trace_sync_batch(self):
        """Within this block (a send batch), the reservations of the traces
        Odoo marks sent or failed one mail at a time are confirmed or
        released together at its end, in at most two statements: one per
        trace would be two queries per mail (issue 18). A commit inside the
        block (``auto_commit``) applies what is pending first (precommit); an
        error leaves it pending with the traces' own writes, for the commit
        or the rollback that follows."""
        cache = self.env.cr.cache
        cache[TRACE_SYNC_BATCH] = cache.get(TRACE_SYNC_BATCH, 0) + 1
        try:
            yield
        finally:
            cache[TRACE_SYNC_BATCH] -= 1
        if not cache[TRACE_SYNC_BATCH]:
            self._pressure_sync_pending()

    @api.model
    def _pressure_sync_traces_later(self, trace_ids, state):
        """Confirm or release the reservations of mailing traces: at the end
        of the send batch in progress (:meth:`_pressure_trace_sync_batch`),
        at once outside one."""
        if not trace_ids:
            return
        if not self.env.cr.cache.get(TRACE_SYNC_BATCH):
            self._pressure_sync_traces(trace_ids, state)
            return
        precommit = self.env.cr.precommit
        pending = precommit.data.get(TRACE_SYNC_PENDING)
        if pending is None:
            pending = precommit.data[TRACE_SYNC_PENDING] = {
                "confirmed": set(),
                "released": set(),
            }
            precommit.add(self._pressure_sync_pending)
        pending[state].update(trace_ids)

    @api.model
    def _pressure_sync_pending(self):
        """Apply the confirmations and releases waiting for the end of a
        send batch. A trace confirmed and released in the same batch ends
        released whatever the order, as one statement per write would leave
        it: a release moves reserved and confirmed contacts, a confirmation
        only reserved ones."""
        pending = self.env.cr.precommit.data.pop(TRACE_SYNC_PENDING, None)
        if not pending:
            return
        released = pending["released"]
        self._pressure_sync_traces(sorted(released), "released")
        self._pressure_sync_traces(sorted(pending["confirmed"] - released), "confirmed")

    @api.model
    def _pressure_sync_traces(self, trace_ids, state):
        """Confirm or release the reservations of mailing traces."""
        if not trace_ids:
            return
        from_states = (
            ["reserved"] if state == "confirmed" else ["reserved", "confirmed"]
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE campaign_pressure_contact c
                   SET state = %s
                  FROM mailing_trace t
                 WHERE t.id = ANY(%s) AND c.mailing_id = t.mass_mailing_id
                   AND c.res_model = t.model AND c.res_id = t.res_id
                   AND c.state = ANY(%s)
                """,
                state,
                list(trace_ids),
                from_states,
            )
        )
        self.env["campaign.pressure.contact"].invalidate_model()

    @api.model
    def _pressure_requests(self, model, res_ids, channel):
        """Requests for records of any mailing model (simulation, arbitration)."""
        records = self.env[model].browse(res_ids)
        requests = []
        if model == "res.partner":
            return [{"ref": rid, "partner_id": rid} for rid in res_ids]
        if channel == "sms" and hasattr(records, "_sms_get_recipients_info"):
            info = records._sms_get_recipients_info()
            for rid in res_ids:
                rec = info.get(rid) or {}
                requests.append(
                    {
                        "ref": rid,
                        "partner_id": rec.get("partner").id
                        if rec.get("partner")
                        else None,
                        "phone": rec.get("sanitized") or None,
                    }
                )
            return requests
        partner_fname = next(
            (
                fname
                for fname in (
                    records._mail_get_partner_fields()
                    if hasattr(records, "_mail_get_partner_fields")
                    else []
                )
                if records._fields[fname].store
                and records._fields[fname].type == "many2one"
            ),
            None,
        )
        email_fname = (
            records._mail_get_primary_email_field()
            if hasattr(records, "_mail_get_primary_email_field")
            else None
        )
        fnames = [f for f in (partner_fname, email_fname) if f]
        records.fetch(fnames)
        for record in records:
            requests.append(
                {
                    "ref": record.id,
                    "partner_id": record[partner_fname].id if partner_fname else None,
                    "email": tools.email_normalize(record[email_fname])
                    if email_fname
                    else None,
                }
            )
        return requests

    @api.model
    def _pressure_retry(self, func, tries=5):
        """Run ``func()`` in the current transaction and retry it from a
        rollback on serialization failures / deadlocks (crons, workers)."""
        for attempt in range(1, tries + 1):
            try:
                return func()
            except RETRY_ERRORS:
                if attempt == tries:
                    raise
                _logger.info(
                    "Marketing pressure: concurrent send, retry %s/%s", attempt, tries
                )
                self.env.cr.rollback()
                self.env.invalidate_all()
                time.sleep(random.uniform(0.05, 0.3) * attempt)
        return None
