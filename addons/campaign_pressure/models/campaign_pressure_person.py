from odoo import fields, models


class CampaignPressurePerson(models.Model):
    """One row per person key, touched by every reservation.

    The row is the lock of the person's budget: a sender upserts the rows of
    the people it is about to contact before counting. In REPEATABLE READ a
    concurrent, already committed touch of the same row raises a
    serialization failure (the transaction is retried), an uncommitted one
    makes the sender wait: two senders can never both count the same old
    state and both reserve.
    """

    _name = "campaign.pressure.person"
    _description = "Marketing Pressure Person Lock"
    _log_access = False

    person_key = fields.Char(required=True, index=False)
    touch_date = fields.Datetime()

    _sql_constraints = [
        ("person_key_unique", "UNIQUE(person_key)", "A person key is unique."),
    ]
