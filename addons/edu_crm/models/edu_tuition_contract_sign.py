import base64
import binascii

from markupsafe import Markup
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL
from odoo.tools.misc import format_datetime

from .edu_tuition_contract import SYSTEM_FIELDS

SIGNATURE_FIELDS = frozenset({"signature", "signed_by", "signed_on"})
MAX_SIGNED_BY = 120
# a drawn signature (PNG, 1024 px at most) is far below this
MAX_SIGNATURE_BYTES = 1024 * 1024


class EduTuitionContractSign(models.Model):
    """The student's signature of a proposed contract in the portal, the way
    Odoo's sales orders are signed online (``signature``, ``signed_by``,
    ``signed_on``). Signing issues the numbered contract document; activating
    the contract stays the bursar's decision."""

    _inherit = "edu.tuition.contract"
    _edu_system_fields = SYSTEM_FIELDS | SIGNATURE_FIELDS

    signature = fields.Image(
        copy=False,
        attachment=True,
        max_width=1024,
        max_height=1024,
        readonly=True,
        groups="base.group_user",
    )
    signed_by = fields.Char(string="Signed By", copy=False, readonly=True)
    signed_on = fields.Datetime(string="Signed On", copy=False, readonly=True)

    def _edu_sign_online(self, partner, name, signature):
        """The student ``partner`` signs the draft contract ``self`` as
        ``name`` with the drawn ``signature`` (base64 image): once, on a
        contract ready to activate; the contract document is issued.

        :raise AccessError: ``partner`` is not the contract's student
        :raise UserError: already signed, not a draft, or bad name/signature
        """
        self.ensure_one()
        contract = self.sudo()
        if partner != contract.student_id:
            raise AccessError(self.env._("Only the student signs their contract."))
        name = (name or "").strip()
        if not name or len(name) > MAX_SIGNED_BY:
            raise UserError(
                self.env._(
                    "Type your full name (at most %s characters).", MAX_SIGNED_BY
                )
            )
        self._edu_check_signature_data(signature)
        # one signature: a second request waits here for the first to commit
        self.env.cr.execute(
            SQL(
                "SELECT id FROM edu_tuition_contract WHERE id = %s FOR UPDATE",
                contract.id,
            )
        )
        contract.invalidate_recordset(["state", "signed_on"])
        if contract.signed_on:
            raise UserError(self.env._("This contract is signed already."))
        contract._edu_check_ready()
        contract.write(
            {
                "signature": signature,
                "signed_by": name,
                "signed_on": fields.Datetime.now(),
            }
        )
        contract._edu_issue_documents()
        contract.message_post(
            body=Markup("<p>%s</p>")
            % self.env._(
                "Signed online by %(name)s: the bursar can activate the contract.",
                name=name,
            ),
            author_id=partner.id,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        return True

    def _edu_check_terms(self, fnames):
        """Signed terms are final: the student signed these figures, so
        they change neither before activation nor after."""
        res = super()._edu_check_terms(fnames)
        if fnames:
            self._edu_check_unsigned()
        return res

    def _edu_check_unsigned(self):
        signed = self.filtered("signed_on")
        if signed:
            raise UserError(
                self.env._(
                    "The student signed contract %s: its terms no longer change. "
                    "Cancel it and propose a new contract to change them.",
                    signed[0].display_name,
                )
            )

    def action_draft(self):
        """A cancelled contract back in draft is not what the student
        signed: the signature is cleared, they sign again."""
        res = super().action_draft()
        self.sudo().write(dict.fromkeys(SIGNATURE_FIELDS, False))
        return res

    @api.model
    def _edu_check_signature_data(self, signature):
        """Refuse a signature that is not a base64 image of a sane size."""
        try:
            data = base64.b64decode(signature or "", validate=True)
        except (binascii.Error, ValueError, TypeError):
            data = b""
        if not data or len(data) > MAX_SIGNATURE_BYTES:
            raise UserError(self.env._("Draw your signature before signing."))
        if not (data.startswith(b"\x89PNG") or data.startswith(b"\xff\xd8")):
            raise UserError(self.env._("The signature must be a drawn image."))


class EduDocumentSigned(models.Model):
    _inherit = "edu.document"

    @api.model
    def _edu_prepare_body_tuition_contract(self, partner, source):
        """The contract's text says who signed it online and when."""
        body = super()._edu_prepare_body_tuition_contract(partner, source)
        if body and source.signed_on:
            body += Markup("<p class='edu_signed'>%s</p>") % self.env._(
                "Signed online by %(name)s on %(date)s.",
                name=source.signed_by,
                date=format_datetime(self.env, source.signed_on),
            )
        return body


class EduTuitionInstalmentSigned(models.Model):
    _inherit = "edu.tuition.instalment"

    def _edu_check_draft(self):
        res = super()._edu_check_draft()
        self.contract_id._edu_check_unsigned()
        return res


class EduTuitionPayerSigned(models.Model):
    _inherit = "edu.tuition.payer"

    def _edu_check_draft(self):
        res = super()._edu_check_draft()
        self.contract_id._edu_check_unsigned()
        return res
