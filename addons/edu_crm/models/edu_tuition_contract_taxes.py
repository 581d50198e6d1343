from odoo import fields, models

from .edu_tuition_money import split_total


class EduTuitionContract(models.Model):
    """Taxes: one computation for what the pages show and what is invoiced
    (the amounts of contracts and instalments before invoicing, the taxes
    of their invoices)."""

    _inherit = "edu.tuition.contract"

    def _edu_split_price(self, price):
        """Split ``price`` of the contract ``self`` between its payers as the
        invoices do: ``[(payer, amount), ...]`` by payer sequence, each share
        rounded, the last payer taking the remainder, zero shares left out."""
        self.ensure_one()
        currency = self.currency_id or self.env.company.currency_id
        payers = self.payer_ids.sorted(lambda p: (p.sequence, p.id))
        amounts = split_total(price, payers.mapped("share"), currency)
        return [
            (payer, amount)
            for payer, amount in zip(payers, amounts, strict=True)
            if not currency.is_zero(amount)
        ]

    def _edu_invoice_taxes(self):
        """``{(contract, partner): (fiscal_position, taxes)}`` for the payers
        of the contracts ``self``: the fiscal position Accounting finds for
        the payer (``account.fiscal.position._get_fiscal_position``, as an
        invoice to that partner does) and the taxes of the tuition product
        of the contract's company, mapped by it. The invoices of the
        instalments are created with exactly these, so that what the pages
        show before invoicing is what the invoices say."""
        Tax = self.env["account.tax"]
        FiscalPosition = self.env["account.fiscal.position"]
        fiscal_positions = {}
        result = {}
        for contract in self:
            company = contract.company_id or self.env.company
            taxes = contract.product_id.taxes_id.filtered_domain(
                Tax._check_company_domain(company)
            )._filter_taxes_by_company(company)
            # no FP without a partner (a new draft without student yet)
            result[contract, self.env["res.partner"]] = (FiscalPosition, taxes)
            for partner in contract.payer_ids.partner_id | contract.student_id:
                key = (company, partner)
                if key not in fiscal_positions:
                    # one lookup per payer and company, not per instalment
                    fiscal_positions[key] = FiscalPosition.with_company(
                        company
                    )._get_fiscal_position(partner)
                fiscal_position = fiscal_positions[key]
                result[contract, partner] = (
                    fiscal_position,
                    fiscal_position.map_tax(taxes) if fiscal_position else taxes,
                )
        return result

    def _edu_tax_amounts(self, prices):
        """``[(untaxed, total), ...]`` for ``prices``, a list of ``(contract,
        price)`` (contracts of ``self``): the price split between the payers,
        each share taxed as its invoice will be, by Accounting's tax engine
        (``account.tax`` base lines, rounding and totals: what an invoice or
        a sales order computes)."""
        AccountTax = self.env["account.tax"]
        taxes_of = self._edu_invoice_taxes()
        today = fields.Date.context_today(self)
        rates = {}
        result = []
        for contract, price in prices:
            company = contract.company_id or self.env.company
            currency = contract.currency_id or company.currency_id
            if (currency, company) not in rates:
                rates[currency, company] = self.env[
                    "res.currency"
                ]._get_conversion_rate(company.currency_id, currency, company, today)
            untaxed = total = 0.0
            # a draft without payers yet: as if the student paid it all
            split = [
                (payer.partner_id, amount)
                for payer, amount in contract._edu_split_price(price)
            ] or [(contract.student_id, price)]
            for partner, amount in split:
                _fiscal_position, taxes = taxes_of[contract, partner]
                base_lines = [
                    AccountTax._prepare_base_line_for_taxes_computation(
                        None,
                        product_id=contract.product_id,
                        partner_id=partner,
                        tax_ids=taxes,
                        price_unit=amount,
                        quantity=1.0,
                        currency_id=currency,
                        rate=rates[currency, company],
                    )
                ]
                AccountTax._add_tax_details_in_base_lines(base_lines, company)
                AccountTax._round_base_lines_tax_details(base_lines, company)
                totals = AccountTax._get_tax_totals_summary(
                    base_lines=base_lines, currency=currency, company=company
                )
                untaxed += totals["base_amount_currency"]
                total += totals["total_amount_currency"]
            result.append((currency.round(untaxed), currency.round(total)))
        return result
