"""Demo data only: a first run of the account notice job.

Nothing but the demo file calls this model; its method is private (not
callable over RPC)."""

from odoo import api, models


class EduAccountNoticeDemo(models.AbstractModel):
    _name = "edu.account.notice.demo"
    _description = "Account notices demo data"

    @api.model
    def _send_first_notices(self):
        """Notify the demo's documents, instalments due and requests once.
        The payments of the demo data are left out: a receipt is a PDF that
        wkhtmltopdf renders through the running web server, which an install
        does not have; the job's next run, with the server up, sends them
        with their receipts."""
        companies = (
            self.env["res.company"].sudo().search([("cmr_notice_payment", "=", True)])
        )
        companies.cmr_notice_payment = False
        try:
            self.env["edu.account.notice"].sudo()._cron_send_notices()
        finally:
            companies.cmr_notice_payment = True
        return True
