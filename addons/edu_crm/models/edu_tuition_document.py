from markupsafe import Markup
from odoo import api, models
from odoo.tools.misc import format_amount, format_date


class EduDocument(models.Model):
    _inherit = "edu.document"

    def _edu_number_from_source(self):
        """A tuition contract's PDF carries the contract's reference (a
        correction adds its version: TC/2026/00010-2)."""
        number = super()._edu_number_from_source()
        source = self.sudo().source_ref
        if number or not source or source._name != "edu.tuition.contract":
            return number
        if not source.name or source.name == "/":
            return False
        return self._edu_next_version_number(source.name)

    @api.model
    def _edu_prepare_body_tuition_contract(self, partner, source):
        """Text of the tuition contract PDF: parties, price and schedule."""
        if source._name != "edu.tuition.contract":
            return False
        env = self.env
        currency = source.currency_id
        intro = env._(
            "Tuition contract %(ref)s between %(institution)s and %(student)s for "
            "the programme %(programme)s, starting on %(date)s.",
            ref=source.name,
            institution=source.company_id.name,
            student=partner.display_name,
            programme=source.programme_id.display_name or "-",
            date=format_date(env, source.date_start),
        )
        price = env._(
            "List price %(price)s, discount %(discount)s %%, scholarship "
            "%(scholarship)s: price %(net)s.",
            price=format_amount(env, source.list_price, currency),
            discount=source.discount,
            scholarship=format_amount(env, source.scholarship_amount, currency),
            net=format_amount(env, source.amount_price, currency),
        )
        total = env._(
            "Total to pay, taxes included: %(total)s (untaxed %(untaxed)s, "
            "taxes %(taxes)s).",
            total=format_amount(env, source.amount_total, currency),
            untaxed=format_amount(env, source.amount_untaxed, currency),
            taxes=format_amount(env, source.amount_tax, currency),
        )
        payers = Markup("").join(
            Markup("<li>%s</li>")
            % env._(
                "%(payer)s pays %(share)s %%",
                payer=payer.partner_id.display_name,
                share=payer.share,
            )
            for payer in source.payer_ids
        )
        return Markup("<p>%s</p><p>%s</p><p>%s</p><ul>%s</ul>%s") % (
            intro,
            price,
            total,
            payers,
            self._edu_tuition_schedule_table(source),
        )

    @api.model
    def _edu_tuition_schedule_table(self, contract):
        """The schedule of ``contract`` as the PDF shows it: the amounts the
        payers owe (what the invoices say, taxes included), the untaxed part
        beside it for Accounting."""
        env = self.env
        currency = contract.currency_id
        rows = Markup("").join(
            Markup(
                "<tr class='edu_instalment'><td>%s</td><td>%s</td>"
                "<td class='text-end'>%s</td><td class='text-end'>%s</td></tr>"
            )
            % (
                inst.sequence,
                format_date(env, inst.due_date),
                format_amount(env, inst.amount_untaxed, currency),
                format_amount(env, inst.amount_total, currency),
            )
            for inst in contract.instalment_ids.sorted("sequence")
        )
        footer = Markup(
            "<tr class='edu_instalment_total'><th colspan='2'>%s</th>"
            "<th class='text-end'>%s</th><th class='text-end'>%s</th></tr>"
        ) % (
            env._("Total"),
            format_amount(env, contract.amount_untaxed, currency),
            format_amount(env, contract.amount_total, currency),
        )
        return Markup(
            "<table class='table table-sm'><thead><tr><th>#</th><th>%s</th>"
            "<th class='text-end'>%s</th><th class='text-end'>%s</th></tr></thead>"
            "<tbody>%s</tbody><tfoot>%s</tfoot></table>"
        ) % (
            env._("Due date"),
            env._("Untaxed"),
            env._("Amount (taxes included)"),
            rows,
            footer,
        )


class EduTuitionContract(models.Model):
    _inherit = "edu.tuition.contract"

    def _edu_replace_open_instalments(self, instalments, vals_list):
        """The contract's PDF states its schedule: a new schedule (an approved
        deferral or reschedule) issues it again as a new version."""
        new_instalments = super()._edu_replace_open_instalments(instalments, vals_list)
        self._edu_reissue_document()
        return new_instalments

    def _edu_reissue_document(self):
        """Issue a new version of the contract PDF of ``self`` when it no
        longer states the contract; the contract points to the new version."""
        for contract in self.filtered("document_id"):
            new_versions = contract.document_id._edu_issue_new_versions()
            if new_versions:
                new_doc = new_versions[contract.document_id]
                contract.sudo().document_id = new_doc
                contract.message_post(
                    body=self.env._(
                        "The contract changed: its PDF was issued again as %(number)s.",
                        number=new_doc.name,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
