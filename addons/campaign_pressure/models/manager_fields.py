"""Fields of a record that only a marketing pressure manager may set (a
campaign's budget, a mailing's own cost)."""


def check_manager_fields(records, vals_list, fnames, message, defaulted=()):
    """Refuse ``message`` (an AccessError) unless the caller is a pressure
    manager, when ``vals_list`` names one of ``fnames`` (even with its
    current value) or, after a create, one of the ``defaulted`` fields is
    set on ``records`` (a default from the context or ir.default sets it
    as surely as vals)."""
    named = any(set(fnames) & set(vals) for vals in vals_list)
    if named or any(any(records.mapped(fname)) for fname in defaulted):
        records.env["campaign.pressure.engine"]._pressure_check_manager(message)
