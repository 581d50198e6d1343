from odoo import models
from odoo.tools import SQL


class IrSequence(models.Model):
    _inherit = "ir.sequence"

    def _edu_next_numbers(self, count):
        """Return ``count`` formatted next numbers of this sequence. A
        standard (PostgreSQL) sequence without date ranges gives them all in a
        single query; other sequences fall back to one call per number."""
        self.ensure_one()
        if count <= 0:
            return []
        if self.implementation != "standard" or self.use_date_range:
            return [self._next() for _i in range(count)]
        self.env.cr.execute(
            SQL(
                "SELECT nextval(%s) FROM generate_series(1, %s) ORDER BY 1",
                f"ir_sequence_{self.id:03d}",
                count,
            )
        )
        return [self.get_next_char(row[0]) for row in self.env.cr.fetchall()]
