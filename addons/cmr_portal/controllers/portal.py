"""What the portal pages of this addon share: the base controller and the
helpers reading posted form values.

One controller module per page family extends ``CmrCustomerPortal``
(preferences, communications, education, requests, tuition, sponsors), as
Odoo's sale and account portals each extend ``CustomerPortal``; Odoo merges
the subclasses into one controller. Form errors are messages of the server,
given to the template by the controller that found them, never read from the
URL."""

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.http import request


def portal_text(env, value, max_length, label):
    """``(text, error)`` of a free text posted in a portal form: stripped,
    and an error (``None`` when valid) for a text longer than
    ``max_length`` or with a NUL character, which PostgreSQL cannot store.
    ``text`` is what the form shows again (without NUL)."""
    raw = value if isinstance(value, str) else ""
    text = raw.replace("\x00", "").strip()
    if "\x00" in raw:
        return text, env._(
            "%(field)s contains a character that cannot be saved (NUL): "
            "remove it and send again.",
            field=label,
        )
    if len(text) > max_length:
        return text, env._(
            "%(field)s is limited to %(max)s characters.",
            field=label,
            max=max_length,
        )
    return text, None


def _to_int(value):
    """Database id from a request value (string or int), else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value < 10**9 else None
    value = (value or "").strip() if isinstance(value, str) else ""
    return int(value) if value.isdigit() and len(value) < 10 else None


class CmrCustomerPortal(CustomerPortal):
    def _cmr_own_domain(self, model):
        partner = request.env.user.partner_id
        if model == "edu.document":
            return [("partner_id", "=", partner.id), ("state", "=", "issued")]
        return [("partner_id", "=", partner.id)]

    def _cmr_own_count(self, model):
        """The number of the user's own ``model`` records for the home page,
        0 when the user cannot read that model."""
        Model = request.env[model]
        if not Model.has_access("read"):
            return 0
        return Model.search_count(self._cmr_own_domain(model))

    def _cmr_sponsored_student_extra(self, student_sudo):
        """Hook for the tuition part (schedules and invoices the sponsor pays)."""
        return {}
