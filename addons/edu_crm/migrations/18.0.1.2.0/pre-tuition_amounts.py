def migrate(cr, version):
    """Before 18.0.1.2.0 a tuition contract's ``amount_total`` was its price
    before the invoices' taxes: keep that figure as the new ``amount_price``
    (what the payment plan splits), so that ``amount_total`` can become what
    the payers owe, taxes included (recomputed after the update).

    Contracts activated before 18.0.1.2.0 kept the due dates of their
    instalments whatever the activation date: they say so
    (``past_due_policy = 'keep'``); drafts get the new default, the grace."""
    cr.execute(
        """
        ALTER TABLE edu_tuition_contract
            ADD COLUMN IF NOT EXISTS amount_price numeric,
            ADD COLUMN IF NOT EXISTS past_due_policy varchar
        """
    )
    cr.execute(
        """
        UPDATE edu_tuition_contract
           SET amount_price = COALESCE(amount_price, amount_total),
               past_due_policy = COALESCE(
                   past_due_policy,
                   CASE WHEN state = 'draft' THEN 'grace' ELSE 'keep' END)
        """
    )
