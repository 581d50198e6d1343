import functools

from odoo import api, models
from odoo.osv import expression


class EduTimeline(models.Model):
    """Who sees which entry of the timeline: a row shows only when the user
    may read its source, whatever the read (``search``, ``search_count``,
    ``read_group``, the person's file).

    The view itself is one read over the real tables as the superuser would
    see them; ``_search`` adds, as subqueries of the same statement (so the
    number of queries does not grow with the rows or the sources):

    - the model access of each kind's own table (``_edu_timeline_kind_models``:
      mailing traces for the marketing users, the stage history, the
      reminder ladder...): a kind whose table the user may not read is left
      out;
    - the model access and the record rules of the record each row opens
      (``res_model``/``res_id``, listed in ``_edu_timeline_record_models``),
      applied as Odoo applies them when the user searches that model (a
      message on a lead the user may not read is not on their timeline, as
      ``mail.message`` hides it in the chatter). A row that opens a model not
      listed there is never shown: an addon adding a source adds its models.
      A row that opens no record (a letter of the contact log without a
      document) is governed by its kind's model alone.
    """

    _inherit = "edu.timeline"

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        if not self.env.su:
            domain = expression.AND([domain, self._edu_timeline_access_domain()])
        return super()._search(domain, offset=offset, limit=limit, order=order)

    def _check_access(self, operation):
        """``has_access``/``check_access`` agree with the searches: a row the
        user may not read by its source is forbidden by its id too."""
        result = super()._check_access(operation)
        if result or not any(self._ids):
            return result
        allowed = self.browse(self._search([("id", "in", self._ids)]))
        forbidden = self - allowed
        if forbidden:
            return forbidden, functools.partial(
                self.env["ir.rule"]._make_access_error, operation, forbidden
            )
        return None

    @api.model
    def _edu_timeline_kind_models(self):
        """``{kind: model}``: the table of the kinds whose rows come from a
        model other than the record they open (the rule of the record opened
        still applies). An addon adds its kinds."""
        return {
            "message": "mail.message",
            "email": "mail.message",
            "activity": "mail.activity",
            "mailing": "mailing.trace",
            "stage": "edu.lead.stage.history",
            "reminder": "edu.reminder.log",
        }

    @api.model
    def _edu_timeline_record_models(self):
        """The models the rows open (``res_model``); an addon adding a source
        whose rows open another model adds it here."""
        return [
            "res.partner",
            "crm.lead",
            "edu.enrollment",
            "edu.tuition.contract",
            "edu.document",
            "account.move",
            "account.payment",
            "mailing.mailing",
        ]

    @api.model
    def _edu_timeline_access_domain(self):
        """The rows of the sources the current user may read (see the class
        docstring): no query is run, the record rules are subqueries."""
        env = self.env
        denied = sorted(
            kind
            for kind, model in self._edu_timeline_kind_models().items()
            if model not in env or not env[model].has_access("read")
        )
        readable = [[("res_model", "=", False)], [("res_id", "=", False)]]
        for model in dict.fromkeys(self._edu_timeline_record_models()):
            if model not in env or not env[model].has_access("read"):
                continue
            if env["ir.rule"]._compute_domain(model, "read"):
                records = env[model].with_context(active_test=False)._search([])
                readable.append([("res_model", "=", model), ("res_id", "in", records)])
            else:
                readable.append([("res_model", "=", model)])
        return expression.AND(
            [
                [("kind", "not in", denied)] if denied else [],
                expression.OR(readable),
            ]
        )
