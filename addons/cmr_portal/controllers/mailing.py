from odoo import http, tools
from odoo.addons.mass_mailing.controllers.main import MassMailController
from odoo.exceptions import ValidationError
from odoo.http import request
from werkzeug.exceptions import BadRequest, Forbidden, NotFound, Unauthorized

from .portal import _to_int
from .preferences import (
    follow_language,
    parse_preferences,
    posted_context,
    preference_context,
)

MAX_PARTNERS_PER_EMAIL = 10


class CmrMassMailController(MassMailController):
    """The preference controls of the portal on Odoo's token-protected
    "manage subscriptions" page, for people without a portal account."""

    def _cmr_partners_for_email(self, email):
        email_normalized = tools.email_normalize(email or "")
        if not email_normalized:
            return request.env["res.partner"].sudo()
        return (
            request.env["res.partner"]
            .sudo()
            .search(
                [("email_normalized", "=", email_normalized)],
                order="id",
                limit=MAX_PARTNERS_PER_EMAIL,
            )
        )

    def _cmr_recipient_partner(self, mailing, document_id, email):
        """The partner the mailing was sent to: the recipient record
        ``document_id`` of the mailing's model (the contact itself, or a
        partner of the record, as Odoo's ``_mail_get_partners`` finds it) when
        it exists and carries the same email, else an empty recordset (the
        caller then matches by email).

        Called after Odoo checked the token, which signs the mailing, the
        document id and the email together."""
        Partner = request.env["res.partner"].sudo()
        document_id = _to_int(document_id)
        email_normalized = tools.email_normalize(email or "")
        model_name = mailing.mailing_model_real if mailing else False
        if not (document_id and email_normalized and model_name in request.env):
            return Partner
        record = request.env[model_name].sudo().browse(document_id).exists()
        if not record:
            return Partner
        # the record's customers as Odoo finds them (the contact itself, or
        # its partner fields), the one with the email the mailing was sent to
        return record._mail_get_partners()[record.id].filtered(
            lambda p: p.email_normalized == email_normalized
        )[:1]

    def _cmr_mailing_partners(self, mailing, document_id, email, hash_token):
        """``(partners_sudo, by_document)``: the recipient partner when
        ``document_id`` identifies it, else every contact of the email.

        Without a token the caller is a logged-in user (Odoo's routes then
        use the user's own email): they act on their own partner only. The
        email of an account is typed by its user and proves nothing, so it
        never reaches the contacts of other people."""
        if not hash_token:
            user = request.env.user
            if user._is_public():
                return request.env["res.partner"].sudo(), False
            return user.partner_id.sudo(), True
        partner_sudo = self._cmr_recipient_partner(mailing, document_id, email)
        if partner_sudo:
            return partner_sudo, True
        return self._cmr_partners_for_email(email), False

    def _prepare_mailing_subscription_values(
        self, mailing, document_id, email, hash_token
    ):
        # called by Odoo's routes after the token (or the logged-in user) was checked
        values = super()._prepare_mailing_subscription_values(
            mailing, document_id, email, hash_token
        )
        partners_sudo, _by_document = self._cmr_mailing_partners(
            mailing, document_id, email, hash_token
        )
        if partners_sudo:
            values.update(
                self._cmr_mailing_values(
                    partners_sudo[0], mailing, document_id, email, hash_token
                )
            )
        return values

    def _cmr_mailing_values(
        self, partner_sudo, mailing, document_id, email, hash_token
    ):
        values = preference_context(partner_sudo)
        values.update(
            cmr_form_action="/mailing/cmr/preferences",
            cmr_with_consent=False,
            cmr_mailing_params={
                "mailing_id": mailing.id or "",
                "document_id": document_id or "",
                "email": email or "",
                "hash_token": hash_token or "",
            },
            cmr_consent_logs=partner_sudo.cmr_consent_log_ids[:10],
        )
        return values

    @http.route(
        "/mailing/cmr/preferences",
        type="http",
        auth="public",
        website=True,
        methods=["POST"],
    )
    def cmr_mailing_preferences(
        self, mailing_id=None, document_id=None, email=None, hash_token=None, **post
    ):
        mailing_id = _to_int(mailing_id)
        document_id = _to_int(document_id)
        email_found, hash_token_found = self._fetch_user_information(
            email, hash_token or None
        )
        try:
            mailing_sudo = self._check_mailing_email_token(
                mailing_id, document_id, email_found, hash_token_found
            )
        except (NotFound, Unauthorized) as error:  # do not leak which mailings exist
            raise Forbidden() from error
        partners_sudo, by_document = self._cmr_mailing_partners(
            mailing_sudo, document_id, email_found, hash_token_found
        )
        if not partners_sudo:
            raise BadRequest()
        context = preference_context(partners_sudo[0])
        vals, topics, nothing, errors = parse_preferences(post, context)
        if not errors:
            try:
                with request.env.cr.savepoint():
                    # the recipient record when the link names it; otherwise
                    # every contact of this email is the same person for marketing
                    partners_sudo[0]._cmr_apply_preferences(
                        vals, topics, nothing, "mailing"
                    )
                    if not by_document:
                        partners_sudo[1:]._cmr_write_logged(vals, "mailing")
            except ValidationError as error:
                errors.append(str(error.args[0]))
        if not errors and vals.get("lang"):
            # the page answers in the language just chosen, and so do the next
            follow_language(vals["lang"])
        values = self._prepare_mailing_subscription_values(
            mailing_sudo, document_id, email_found, hash_token_found
        )
        values.update(cmr_errors=errors, cmr_saved=not errors, feedback_enabled=False)
        if errors:  # show what the person typed, not the saved values
            values.update(posted_context(post, context))
        return request.render(
            "mass_mailing.page_mailing_unsubscribe",
            values,
            status=400 if errors else 200,
        )
