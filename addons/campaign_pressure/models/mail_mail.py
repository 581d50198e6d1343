from contextlib import contextmanager

from odoo import fields, models

# cursor cache: the send batch in progress (mail.mail._send), the sent mails of
# mass mailings whose auto-delete waits for its end
DELETE_BATCH = "campaign_pressure_mail_delete_batch"


class MailMail(models.Model):
    _inherit = "mail.mail"

    failure_type = fields.Selection(selection_add=[("pressure", "Marketing pressure")])

    def _send(self, *args, **kwargs):
        # Odoo marks the traces of a batch sent one mail at a time: their
        # reservations are confirmed (or released) once for the batch
        with (
            self.env["campaign.pressure.engine"]._pressure_trace_sync_batch(),
            self._pressure_delete_batch(),
        ):
            return super()._send(*args, **kwargs)

    @contextmanager
    def _pressure_delete_batch(self):
        """Within this block (a send batch), the sent mails of mass mailings
        that Odoo auto-deletes one at a time are deleted together at its end.

        Odoo deletes each sent mail after sending it, and the deletion
        invalidates the whole cache: every next mail of the batch is read
        again, and ``account``'s audit-trail check (``mail.message``
        ``_except_audit_log``, installed with edu_crm) reads the deleted
        mail's message again: one query per mail, ~12 with the deletion's
        own (issue 18). Deleted at the end of the batch, the same checks run
        once for all of them. An error ends the block without deleting: the
        send's own rollback follows; a mail already committed as sent
        (``auto_commit``) stays sent, never sent again."""
        cache = self.env.cr.cache
        if DELETE_BATCH in cache:  # a send within a send: the outer one deletes
            yield
            return
        cache[DELETE_BATCH] = batch = {"postprocess": 0, "ids": []}
        try:
            yield
        finally:
            del cache[DELETE_BATCH]
        if batch["ids"]:
            self.sudo().browse(batch["ids"]).exists().unlink()

    def _postprocess_sent_message(
        self, success_pids, failure_reason=False, failure_type=None
    ):
        batch = self.env.cr.cache.get(DELETE_BATCH)
        if batch is not None:
            batch["postprocess"] += 1
        try:
            return super()._postprocess_sent_message(
                success_pids, failure_reason=failure_reason, failure_type=failure_type
            )
        finally:
            if batch is not None:
                batch["postprocess"] -= 1

    def unlink(self):
        batch = self.env.cr.cache.get(DELETE_BATCH)
        if not batch or not batch["postprocess"]:
            return super().unlink()
        # the auto-delete of Odoo's post-processing: mass mailings' mails
        # wait for the end of the batch, the others go at once
        later = self.filtered("mailing_id")
        batch["ids"].extend(later.ids)
        now = self - later
        return super(MailMail, now).unlink() if now else True
