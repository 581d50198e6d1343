from odoo import models, tools
from odoo.exceptions import UserError

# recipients checked and reserved ahead in one statement: Odoo then creates
# their mails in batches of 50 (``mail.batch_size``) reading the decisions
AHEAD_CHUNK = 2000


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    def _pressure_enabled(self):
        return (
            self.composition_mode == "mass_mail"
            and self.mass_mailing_id
            and self.model_is_thread
            and not self.env["campaign.pressure.engine"]._pressure_disabled()
        )

    def _action_send_mail_mass_mail(self, res_ids, auto_commit=False):
        """Reserve ahead: the recipients of a mass send are checked and
        reserved a chunk (``AHEAD_CHUNK``) at a time, in one statement, not
        once per batch of 50; each batch then reads its decisions.

        The decisions are kept for the duration of this send only (see
        ``campaign.pressure.engine._pressure_sending``): they survive the
        composer's commit after each batch, and are dropped when the send
        ends or fails."""
        if self.mass_mailing_id and not self.use_exclusion_list and not self.env.su:
            # Odoo's composer can skip the blacklist; a mailing never does,
            # transactional or not
            raise UserError(
                self.env._(
                    "A mailing always respects the blacklist: it cannot be sent "
                    "without the exclusion list."
                )
            )
        if not res_ids or not self._pressure_enabled():
            return super()._action_send_mail_mass_mail(res_ids, auto_commit=auto_commit)
        sending = self.env["campaign.pressure.engine"]._pressure_sending()
        mailing_id = self.mass_mailing_id.id
        state = sending.setdefault(mailing_id, {})
        state["ahead"] = {
            "res_ids": list(res_ids),
            "pos": 0,  # where the next chunk starts in res_ids
            "seen": set(),  # ids screened once: never reserved twice
            "decisions": {},  # res_id -> (request, decision), until its batch
        }
        try:
            return super()._action_send_mail_mass_mail(res_ids, auto_commit=auto_commit)
        finally:
            state.pop("ahead", None)
            if not state:
                sending.pop(mailing_id, None)

    def _pressure_ahead(self, res_ids):
        """Decisions reserved ahead for ``res_ids`` (a batch): screens the
        next chunk when the batch is not screened yet. None outside a mass
        send (then each batch is checked on its own)."""
        engine = self.env["campaign.pressure.engine"]
        state = engine._pressure_sending().get(self.mass_mailing_id.id)
        ahead = state and state.get("ahead")
        if ahead is None:
            return None
        decisions, seen = ahead["decisions"], ahead["seen"]
        missing = [res_id for res_id in res_ids if res_id not in seen]
        if missing:
            start = ahead["pos"]
            window = ahead["res_ids"][start : start + AHEAD_CHUNK]
            if set(missing) <= set(window):
                ahead["pos"] = start + len(window)
                chunk = [res_id for res_id in window if res_id not in seen]
            else:  # batches in another order than the send's ids
                chunk = missing
            chunk = list(dict.fromkeys(chunk))
            seen.update(chunk)
            # reservations of this mailing for records without a mail yet are
            # left over by an interrupted send: the statement reuses or
            # releases them, and does not count them
            requests = engine._pressure_requests(self.model, chunk, "email")
            screened = self._pressure_reserve(requests, leftovers=True)
            by_ref = {request["ref"]: request for request in requests}
            for res_id in chunk:
                # (request, decision), None when the record had no identity
                decisions[res_id] = (
                    (by_ref[res_id], screened[res_id]) if res_id in screened else None
                )
        return decisions

    def _process_mail_values_state(self, mail_values_dict):
        """Hold back recipients over a pressure rule, like Odoo cancels
        blacklisted or opted-out ones, and reserve the others' budget."""
        mail_values_dict = super()._process_mail_values_state(mail_values_dict)
        if not self._pressure_enabled():
            return mail_values_dict
        requests, cancelled = self._pressure_mail_requests(mail_values_dict)
        decisions = self._pressure_mail_decisions(
            list(mail_values_dict), requests, cancelled
        )
        for res_id, decision in decisions.items():
            self._pressure_apply_decision(mail_values_dict[res_id], decision)
        return mail_values_dict

    def _pressure_mail_requests(self, mail_values_dict):
        """The engine's request of each mail Odoo keeps (``res_id ->
        request``), and the records whose mail Odoo cancelled."""
        requests = {}
        cancelled = []
        # read once: a field read costs more than the loop's own work
        partner_model = self.model == "res.partner"
        for res_id, mail_values in mail_values_dict.items():
            if mail_values.get("state") == "cancel":
                cancelled.append(res_id)
                continue
            partner_id = next(
                (cmd[1] for cmd in mail_values.get("recipient_ids") or [] if cmd[1]),
                None,
            )
            if not partner_id and partner_model:
                partner_id = res_id
            email = None
            if not partner_id:
                # the person is the partner when there is one: the email
                # only identifies recipients without a partner
                emails = tools.email_split(mail_values.get("email_to") or "")
                email = tools.email_normalize(emails[0]) if emails else None
            requests[res_id] = {"ref": res_id, "partner_id": partner_id, "email": email}
        return requests, cancelled

    def _pressure_mail_decisions(self, res_ids, requests, cancelled):
        """The decision of each request: the one screened ahead of the batch
        when the mail goes to the same person, else checked with this batch;
        the reservations of mails Odoo cancelled (or that go to someone
        else) are released."""
        decisions = {}
        pending = requests
        ahead = self._pressure_ahead(res_ids)
        if ahead is not None:
            pending = {}
            release = []
            for res_id in cancelled:
                screened = ahead.pop(res_id, None)
                if screened and screened[1]["allowed"]:
                    release.append(res_id)  # cancelled by Odoo: not sent
            for res_id, request in requests.items():
                screened = ahead.pop(res_id, None)
                if screened and self._pressure_same_person(screened[0], request):
                    decisions[res_id] = screened[1]
                    continue
                # the mail goes to someone else than the record said (or
                # the record had no identity): checked with this batch
                pending[res_id] = request
                if screened and screened[1]["allowed"]:
                    release.append(res_id)
            self.env["campaign.pressure.engine"]._pressure_release_documents(
                self.mass_mailing_id, self.model, release
            )
        if pending:
            decisions.update(self._pressure_reserve(list(pending.values())))
        return decisions

    def _pressure_apply_decision(self, mail_values, decision):
        """Write ``decision`` into the values of its mail: postponed to the
        end of quiet hours, or cancelled with the reason."""
        if decision["allowed"]:
            if decision.get("postpone_until"):
                # quiet hours: Odoo's mail queue sends it when they end
                scheduled = mail_values.get("scheduled_date") and self.env[
                    "mail.mail"
                ]._parse_scheduled_datetime(mail_values["scheduled_date"])
                if scheduled:
                    scheduled = scheduled.replace(tzinfo=None)
                if not scheduled or scheduled < decision["postpone_until"]:
                    mail_values["scheduled_date"] = decision["postpone_until"]
                mail_values["_pressure"] = decision
            return
        mail_values.update(
            state="cancel",
            failure_type="pressure",
            is_notification=False,
            _pressure=decision,
        )
        if not decision.get("reason_code"):
            # an extension's reason without a code: its text
            mail_values["failure_reason"] = decision["reason"]

    def _pressure_reserve(self, requests, leftovers=False):
        """Check and reserve email requests of this mass send (an email can
        wait for the end of quiet hours); ``leftovers``: see
        ``campaign.pressure.engine._pressure_check_and_reserve``."""
        return self.env["campaign.pressure.engine"]._pressure_check_and_reserve(
            requests,
            "email",
            "mailing",
            mailing=self.mass_mailing_id,
            res_model=self.model,
            postpone=True,
            leftovers=leftovers,
        )

    def _pressure_same_person(self, screened, request):
        """Whether the request screened ahead (from the record) names the
        person the mail actually goes to."""
        if screened.get("partner_id") or request.get("partner_id"):
            return screened.get("partner_id") == request.get("partner_id")
        return (screened.get("email") or None) == request.get("email")

    def _prepare_mail_values_mailing_traces(self, mail_values_all):
        trace_values_all = super()._prepare_mail_values_mailing_traces(mail_values_all)
        engine = self.env["campaign.pressure.engine"]
        for res_id, mail_values in mail_values_all.items():
            decision = mail_values.get("_pressure")
            if not decision or not trace_values_all.get(res_id):
                continue
            if decision["allowed"]:
                trace_values_all[res_id]["pressure_postponed_until"] = decision[
                    "postpone_until"
                ]
            else:
                trace_values_all[res_id].update(
                    engine._pressure_trace_reason(decision),
                    pressure_rule_id=decision["rule_id"],
                    pressure_count=decision["count"],
                    pressure_threshold=decision["threshold"],
                )
        return trace_values_all

    def _prepare_mail_values(self, res_ids):
        mail_values_all = super()._prepare_mail_values(res_ids)
        for mail_values in mail_values_all.values():
            mail_values.pop("_pressure", None)
        return mail_values_all
