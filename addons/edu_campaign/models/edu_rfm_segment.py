from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError


class EduRfmSegment(models.Model):
    """A named RFM segment (champions, loyal, at risk, lost...): the range
    of recency and frequency scores it takes, and the least monetary and
    punctuality scores (0: any, also none). The daily scoring gives each
    person the first segment, by sequence, whose ranges hold their scores
    (:meth:`res.partner._cron_compute_rfm`). Set by an Education manager."""

    _name = "edu.rfm.segment"
    _description = "RFM Segment"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Stable name of the segment for filters (e.g. 'champions').",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
    recency_min = fields.Integer(string="Recency from", default=1)
    recency_max = fields.Integer(string="Recency to", default=5)
    frequency_min = fields.Integer(string="Frequency from", default=1)
    frequency_max = fields.Integer(string="Frequency to", default=5)
    monetary_min = fields.Integer(
        string="Least monetary score",
        default=0,
        help="0: any person, also those who paid no tuition.",
    )
    punctuality_min = fields.Integer(
        string="Least punctuality score",
        default=0,
        help="0: any person, also those with no tuition due.",
    )
    partner_count = fields.Integer(string="People", compute="_compute_partner_count")

    _sql_constraints = [
        ("code_uniq", "unique(code)", "Another RFM segment has this code."),
    ]

    def _compute_partner_count(self):
        counts = dict(
            self.env["res.partner"]._read_group(
                [("edu_rfm_segment_id", "in", self.ids)],
                ["edu_rfm_segment_id"],
                ["__count"],
            )
        )
        for segment in self:
            segment.partner_count = counts.get(segment, 0)

    @api.constrains(
        "recency_min",
        "recency_max",
        "frequency_min",
        "frequency_max",
        "monetary_min",
        "punctuality_min",
    )
    def _check_scores(self):
        for segment in self:
            ranges = (
                (segment.recency_min, segment.recency_max),
                (segment.frequency_min, segment.frequency_max),
            )
            if any(not 1 <= low <= high <= 5 for low, high in ranges):
                raise ValidationError(
                    self.env._(
                        "RFM segment %(name)s: recency and frequency scores range "
                        "from 1 to 5, and a range starts at or below its end.",
                        name=segment.name,
                    )
                )
            if not (
                0 <= segment.monetary_min <= 5 and 0 <= segment.punctuality_min <= 5
            ):
                raise ValidationError(
                    self.env._(
                        "RFM segment %(name)s: the least monetary and punctuality "
                        "scores range from 0 (any) to 5.",
                        name=segment.name,
                    )
                )


class EduRfmHistory(models.Model):
    """One row per change of a person's RFM segment: the segment before and
    after, the scores that made it, when. Written by the daily scoring in
    SQL only (rows only for changes); nobody creates, edits or deletes
    them (the history is what marketing and admissions trust)."""

    _name = "edu.rfm.history"
    _description = "RFM Segment History"
    _order = "date desc, id desc"
    _rec_name = "partner_id"
    _log_access = False

    partner_id = fields.Many2one(
        "res.partner",
        string="Person",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    date = fields.Datetime(required=True, readonly=True)
    previous_segment_id = fields.Many2one(
        "edu.rfm.segment", string="Previous segment", readonly=True, ondelete="set null"
    )
    segment_id = fields.Many2one(
        "edu.rfm.segment", string="Segment", readonly=True, ondelete="set null"
    )
    recency = fields.Integer(readonly=True)
    frequency = fields.Integer(readonly=True)
    monetary = fields.Integer(readonly=True)
    punctuality = fields.Integer(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        self._check_history_write()
        return super().create(vals_list)

    def write(self, vals):
        self._check_history_write()
        return super().write(vals)

    def unlink(self):
        self._check_history_write()
        return super().unlink()

    def _check_history_write(self):
        if not self.env.su:
            raise AccessError(
                self.env._(
                    "The RFM history is written by the daily scoring only: its "
                    "entries cannot be created, changed or deleted."
                )
            )
