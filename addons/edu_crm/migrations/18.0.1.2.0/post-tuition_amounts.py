from odoo import SUPERUSER_ID, api

INSTALMENT_FIELDS = (
    "amount_untaxed",
    "amount_total",
    "amount_paid",
    "amount_residual",
    "payment_state",
)
CONTRACT_FIELDS = (
    "amount_untaxed",
    "amount_tax",
    "amount_total",
    "amount_invoiced",
    "amount_paid",
    "amount_residual",
)


def migrate(cr, version):
    """18.0.1.2.0 puts every tuition figure on one basis, what the payers owe
    taxes included: instalments get their untaxed and taxed amounts (the
    invoices' once invoiced), an instalment not invoiced yet is due in full,
    and contracts sum them. Active contracts already paid or cancelled in
    full close, as they now do when their last instalment is settled."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    Instalment = env["edu.tuition.instalment"].with_context(active_test=False)
    instalments = Instalment.search([])
    for fname in INSTALMENT_FIELDS:
        env.add_to_compute(Instalment._fields[fname], instalments)
    Contract = env["edu.tuition.contract"].with_context(active_test=False)
    contracts = Contract.search([])
    for fname in CONTRACT_FIELDS:
        env.add_to_compute(Contract._fields[fname], contracts)
    env.flush_all()
    contracts.filtered(lambda c: c.state == "active")._edu_close_settled()
    env.flush_all()
