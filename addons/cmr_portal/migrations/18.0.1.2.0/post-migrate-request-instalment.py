"""18.0.1.2.0: a deferral request keeps the number and due date of the
instalment it asks to move (``instalment_sequence``, ``instalment_due_date``),
since an approved deferral replaces the instalment itself. Filled here from
the instalment for the requests whose instalment still exists; the requests
already approved lost it and keep no number."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE cmr_request AS req
           SET instalment_sequence = inst.sequence,
               instalment_due_date = inst.due_date
          FROM edu_tuition_instalment AS inst
         WHERE inst.id = req.instalment_id
           AND req.instalment_sequence IS NULL
        """
    )
