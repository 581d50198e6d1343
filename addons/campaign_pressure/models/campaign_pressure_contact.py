from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL
from odoo.tools.sql import create_index, index_exists

from .campaign_pressure_channel import CHANNELS


class CampaignPressureContact(models.Model):
    """Contact log: one row per marketing (or transactional) contact.

    Rows are written in bulk by ``campaign.pressure.engine`` (one INSERT per
    batch); the index on (person_key, contact_date), covering the counted
    columns, serves the window counts of the engine and of the simulation.

    An append-only, high-volume log (like ``mail.notification``): no
    create/write user and date columns, whose foreign keys would be checked
    for every row of every batch. ``contact_date`` is when; the mailing,
    activity or letter is what; ``user_id`` records who logged a contact by
    hand (letters, calls).

    Nobody writes it through the ORM but server-side code: a forged row
    would lower a person's room, a deleted or released one raise it. The
    access rights give read access only; ``create``, ``write`` and
    ``unlink`` refuse every caller but ``sudo()`` (the engine itself
    writes in SQL).
    """

    _name = "campaign.pressure.contact"
    _description = "Marketing Contact Log"
    _log_access = False
    _order = "contact_date desc, id desc"
    _rec_name = "person_key"

    person_key = fields.Char(
        required=True,
        readonly=True,
        help="Partner when known ('p:<id>'), else normalised email ('e:') or "
        "sanitised phone number ('t:').",
    )
    partner_id = fields.Many2one("res.partner", readonly=True, index="btree_not_null")
    channel = fields.Selection(CHANNELS, required=True, readonly=True)
    contact_date = fields.Datetime(
        required=True, readonly=True, default=fields.Datetime.now
    )
    weight = fields.Integer(default=1, readonly=True)
    source = fields.Selection(
        [
            ("mailing", "Email mailing"),
            ("sms", "SMS mailing"),
            ("activity", "Activity"),
            ("letter", "Letter"),
        ],
        required=True,
        readonly=True,
    )
    mailing_id = fields.Many2one(
        "mailing.mailing", readonly=True, index="btree_not_null", ondelete="set null"
    )
    campaign_id = fields.Many2one(
        "utm.campaign", string="UTM campaign", readonly=True, ondelete="set null"
    )
    res_model = fields.Char(string="Document model", readonly=True)
    res_id = fields.Integer(string="Document", readonly=True)
    is_transactional = fields.Boolean(readonly=True)
    state = fields.Selection(
        [
            ("reserved", "Reserved"),
            ("confirmed", "Confirmed"),
            ("released", "Released"),
        ],
        required=True,
        default="reserved",
        readonly=True,
    )
    company_id = fields.Many2one(
        "res.company", readonly=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users",
        string="Logged by",
        readonly=True,
        help="The user who logged a letter or scheduled a marketing call. "
        "Empty for mailings: their sender is on the mailing.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        self._pressure_check_log_write()
        return super().create(vals_list)

    def write(self, vals):
        self._pressure_check_log_write()
        return super().write(vals)

    def unlink(self):
        self._pressure_check_log_write()
        return super().unlink()

    def _pressure_check_log_write(self):
        if not self.env.su:
            raise AccessError(
                self.env._(
                    "The marketing contact log is written by the pressure engine "
                    "only: its entries cannot be created, changed or deleted."
                )
            )

    def init(self):
        res = super().init()
        # window counts read the index only: every column they filter or
        # sum is in it (earlier versions had fewer columns under another name)
        self.env.cr.execute(
            SQL("DROP INDEX IF EXISTS campaign_pressure_contact_window_idx")
        )
        if not index_exists(self.env.cr, "campaign_pressure_contact_count_idx"):
            self.env.cr.execute(
                SQL(
                    "CREATE INDEX campaign_pressure_contact_count_idx ON %s"
                    " (person_key, contact_date)"
                    " INCLUDE (channel, weight, state, is_transactional, campaign_id)",
                    SQL.identifier(self._table),
                )
            )
        create_index(
            self.env.cr,
            "campaign_pressure_contact_document_idx",
            self._table,
            ["mailing_id", "res_model", "res_id"],
            where="state = 'reserved'",
        )
        return res
