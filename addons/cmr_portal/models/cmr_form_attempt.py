import hashlib
from datetime import timedelta

from odoo import api, fields, models

# per form and hour: sends from one IP address, and for one email address
RATE_LIMIT_IP = 10
RATE_LIMIT_EMAIL = 5
RATE_WINDOW = timedelta(hours=1)


class CmrFormAttempt(models.Model):
    """One line per send of a public form (application, enquiry...), kept a
    day: the rate limit per IP address and per email address. The email is
    stored as a hash: the table tells how often, never who."""

    _name = "cmr.form.attempt"
    _description = "Public Form Send (rate limit)"
    _log_access = False

    form = fields.Char(required=True, index=True)
    ip_address = fields.Char(index=True)
    email_key = fields.Char(index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)

    @api.model
    def _cmr_email_key(self, email):
        return hashlib.sha256((email or "").strip().lower().encode()).hexdigest()

    @api.model
    def _cmr_rate_limited(self, form, ip_address, email):
        """Record one send of ``form`` and return True when the IP address
        or the email address sent it too often within the last hour."""
        since = fields.Datetime.now() - RATE_WINDOW
        email_key = self._cmr_email_key(email) if email else False
        Attempt = self.sudo()

        def too_many(fname, value, limit):
            domain = [("form", "=", form), (fname, "=", value), ("date", ">=", since)]
            return bool(value) and Attempt.search_count(domain) >= limit

        limited = too_many("ip_address", ip_address, RATE_LIMIT_IP) or too_many(
            "email_key", email_key, RATE_LIMIT_EMAIL
        )
        Attempt.create({"form": form, "ip_address": ip_address, "email_key": email_key})
        return limited

    @api.autovacuum
    def _gc_attempts(self):
        self.sudo().search(
            [("date", "<", fields.Datetime.now() - timedelta(days=1))]
        ).unlink()
