"""The public web enquiry form (``/enquiry``): a visitor asks about a
programme; the enquiry lands as an Admissions lead on the person it comes
from (``crm.lead._edu_create_enquiry``: the duplicate check, the UTM of
the browser's cookies). The abuse controls are those of the other public
forms (``forms.py``: honeypot, rate limit per IP and per email; CSRF is
Odoo's). A refused field shows the page again with the message and what
was typed; nothing is saved. The programmes offered are the catalogue's
(``crm.lead._edu_enquiry_programmes``); a person logged in finds their
name, email and phone filled in, and the enquiry is linked to them."""

from odoo import http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request
from odoo.tools import email_normalize

from .apply import EMAIL_RE, MAX_FIELD_LENGTH
from .forms import honeypot_tripped, rate_limited
from .portal import CmrCustomerPortal, _to_int, portal_text

MAX_MESSAGE_LENGTH = 4000


class CmrEnquiryPortal(CmrCustomerPortal):
    def _cmr_enquiry_programmes(self):
        """The programmes a visitor may ask about, those of the catalogue
        (``crm.lead._edu_enquiry_programmes``), read as superuser: only
        their names are shown."""
        return request.env["crm.lead"].sudo()._edu_enquiry_programmes()

    def _cmr_enquiry_person(self):
        """The partner of the person logged in, or None for a visitor."""
        user = request.env.user
        return None if user._is_public() else user.partner_id

    def _cmr_enquiry_prefill(self):
        """What the form shows a person logged in before they type: their
        name, email and phone, as Odoo's website forms fill them."""
        partner = self._cmr_enquiry_person()
        if not partner:
            return {}
        return {
            "contact_name": partner.name or "",
            "email": partner.email or "",
            "phone": partner.phone or partner.mobile or "",
        }

    def _cmr_enquiry_page(self, form=None, errors=None, status=200):
        values = {
            "page_name": "cmr_enquiry",
            "cmr_programmes": self._cmr_enquiry_programmes(),
            "cmr_form": self._cmr_enquiry_prefill() if form is None else form,
            "cmr_errors": errors or [],
        }
        return request.render("cmr_portal.cmr_enquiry", values, status=status)

    @http.route("/enquiry", type="http", auth="public", website=True, methods=["GET"])
    def cmr_enquiry(self, sent=None, **kw):
        if sent:
            return request.render("cmr_portal.cmr_enquiry_sent", {})
        return self._cmr_enquiry_page()

    def _cmr_parse_enquiry(self, post):
        """``(lead values, message, form, errors)`` of the posted enquiry:
        the shape of each value; ``form`` holds what was typed."""
        env = request.env
        _ = env._
        errors, form = [], {}
        for name, label, limit in (
            ("contact_name", _("Your name"), MAX_FIELD_LENGTH),
            ("email", _("Your email"), MAX_FIELD_LENGTH),
            ("phone", _("Your phone"), MAX_FIELD_LENGTH),
            ("message", _("Your message"), MAX_MESSAGE_LENGTH),
        ):
            form[name], error = portal_text(env, post.get(name), limit, label)
            if error:
                errors.append(error)
        if not form["contact_name"]:
            errors.append(_("Give your name."))
        email = EMAIL_RE.fullmatch(form["email"]) and email_normalize(form["email"])
        if not email:
            errors.append(_("Give a valid email address, such as name@example.com."))
        form["programme_id"] = post.get("programme_id") or ""
        programme = self._cmr_enquiry_programmes().filtered(
            lambda p: p.id == _to_int(form["programme_id"])
        )
        if form["programme_id"] and not programme:
            errors.append(_("Choose one of the programmes offered."))
        form["consent"] = bool(post.get("consent"))
        if not form["consent"]:
            errors.append(_("Agree to be contacted about your enquiry."))
        values = {
            "contact_name": form["contact_name"],
            "email_from": email or form["email"],
            "phone": form["phone"] or False,
            "edu_programme_id": programme.id or False,
        }
        return values, form["message"], form, errors

    @http.route("/enquiry", type="http", auth="public", website=True, methods=["POST"])
    def cmr_enquiry_submit(self, **post):
        env = request.env
        values, message, form, errors = self._cmr_parse_enquiry(post)
        # every send counts, a bot's too
        limited = rate_limited("enquiry", values["email_from"])
        if honeypot_tripped(post):
            errors = [env._("Your enquiry could not be sent.")]
        elif limited:
            errors = [
                env._("Too many enquiries were sent from here: try again in an hour.")
            ]
        if not errors:
            try:
                with env.cr.savepoint():
                    env["crm.lead"].sudo()._edu_create_enquiry(
                        values, message, partner=self._cmr_enquiry_person()
                    )
            except (UserError, ValidationError) as exc:
                errors.append(str(exc.args[0]))
        if errors:
            return self._cmr_enquiry_page(form=form, errors=errors, status=400)
        return request.redirect("/enquiry?sent=1")
