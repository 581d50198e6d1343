from odoo import api, fields, models, tools

from ..engine import reasons


class CampaignPressureEngine(models.AbstractModel):
    """Reasons of the pressure engine: stored as codes, rendered in the
    reader's language. The texts and the renderer are
    :mod:`..engine.reasons` (pure); this part gives them the environment's
    language, labels and look-ups."""

    _inherit = "campaign.pressure.engine"

    @api.model
    def _pressure_trace_reason(self, decision):
        """Trace values recording why ``decision`` was held back: its code
        and arguments; the text only for an extension's reason that has no
        code (shown as written)."""
        if decision.get("reason_code"):
            return {
                "pressure_reason": decision["reason_code"],
                "pressure_reason_args": decision.get("reason_args") or {},
            }
        return {"failure_reason": decision.get("reason") or False}

    @api.model
    def _pressure_reasons(self):
        """Why a message is held back: ``[(code, label)]`` in the
        environment's language. The selection of every stored reason
        (traces, simulations); an extension that holds back more people
        adds its codes here and their sentences in
        :meth:`_pressure_reason_templates`, then sets ``reason_code`` and
        ``reason_args`` on the decisions it holds."""
        return reasons.labels(self.env._)

    @api.model
    def _pressure_reason_templates(self, detailed=True):
        """Sentence of each reason code in the environment's language, with
        ``%(name)s`` arguments (:func:`..engine.reasons.templates`).
        ``detailed``: the reader may see why a person cools down (the
        marketing team: the response is internal scoring)."""
        return reasons.templates(self.env._, detailed=detailed)

    @api.model
    def _pressure_reason_renderer(self, rule_names=None):
        """A function ``(code, args) -> sentence`` in the environment's
        language (:func:`..engine.reasons.renderer`). Translations, labels
        and dates are looked up once per renderer (a batch), not once per
        recipient. ``rule_names``: rule id -> name already known (else read,
        in the reader's language)."""
        env = self.env
        detailed = env.su or env.user.has_group("mass_mailing.group_mass_mailing_user")
        vocabulary = reasons.words(
            env._,
            env["campaign.pressure.contact"]
            ._fields["channel"]
            ._description_selection(env),
            env["res.partner"]
            ._fields["pressure_cooldown_reason"]
            ._description_selection(env),
        )
        names = dict(rule_names or {})
        dates = {}

        def rule_name(rule_id):
            if rule_id not in names:
                rule = env["campaign.pressure.rule"].sudo().browse(rule_id).exists()
                names[rule_id] = rule.name if rule else None
            return names[rule_id]

        def date(value):
            if value not in dates:
                dates[value] = tools.format_datetime(
                    env, fields.Datetime.to_datetime(value), dt_format="short"
                )
            return dates[value]

        return reasons.renderer(
            self._pressure_reason_templates(detailed=detailed),
            vocabulary,
            rule_name,
            date,
        )
