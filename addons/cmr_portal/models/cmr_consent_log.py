from odoo import api, fields, models

SOURCES = [
    ("portal", "Portal"),
    ("mailing", "Mailing preferences page"),
    ("backend", "Backend"),
]


class CmrConsentLog(models.Model):
    """One line per changed preference or consent: who changed what, when, from
    where. Lines are written by the system (``_cmr_log``), never edited."""

    _name = "cmr.consent.log"
    _description = "Consent and Preference Log"
    _order = "date desc, id desc"
    _rec_name = "field_label"

    partner_id = fields.Many2one(
        "res.partner",
        string="Person",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Changed By", readonly=True, ondelete="set null"
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    ip_address = fields.Char(string="IP Address", readonly=True)
    user_agent = fields.Char(readonly=True)
    field_name = fields.Char(string="Technical Field", readonly=True)
    field_label = fields.Char(string="Preference", readonly=True)
    old_value = fields.Char(readonly=True)
    new_value = fields.Char(readonly=True)
    source = fields.Selection(SOURCES, required=True, default="backend", readonly=True)

    @api.model
    def _cmr_request_meta(self):
        """IP address and user agent of the current HTTP request, if any."""
        from odoo.http import request  # noqa: PLC0415

        if not request:
            return {}
        httprequest = request.httprequest
        return {
            "ip_address": (httprequest.remote_addr or "")[:64],
            "user_agent": (httprequest.user_agent.string or "")[:512],
        }

    @api.model
    def _cmr_log(self, changes, source):
        """Write log lines.

        :param list changes: dicts ``partner_id, field_name, field_label,
          old_value, new_value``
        :param str source: portal, mailing or backend: where the change was
          made, decided by the server code that made it (never the context)
        """
        if source not in dict(SOURCES):
            raise ValueError(f"unknown consent log source {source!r}")
        if not changes:
            return self.browse()
        meta = self._cmr_request_meta()
        uid = self.env.uid
        user_id = False if self.env["res.users"].browse(uid)._is_public() else uid
        return self.sudo().create(
            [dict(change, user_id=user_id, source=source, **meta) for change in changes]
        )
