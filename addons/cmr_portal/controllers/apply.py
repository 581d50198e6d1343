"""The public catalogue of programmes and the online application.

The catalogue is public (``auth='public'``): it shows programmes, intakes
open for application, seats left, tuition and the schedule a payment plan
would produce (the same ``edu.payment.plan._edu_schedule`` that builds the
contracts), never a person. Odoo's ``utm`` module keeps the UTM parameters
of the link in cookies; the application, created in the same browser, takes
them through ``utm.mixin.default_get``.

Applying needs an account (``auth='user'``: Odoo's login, and its sign-up
page when the institution allows it). The form's values are checked here
for their shape and by ``crm.lead._edu_apply_online`` for the rules; one
savepoint holds the lead, its files and the consent lines, so that a
refusal leaves nothing half-written."""

import datetime
import re

from odoo import fields, http
from odoo.addons.edu_crm.models.edu_application_document import (
    APPLICATION_MAX_BYTES,
)
from odoo.exceptions import UserError, ValidationError
from odoo.http import request
from odoo.tools import email_normalize

from .forms import honeypot_tripped, rate_limited, requirement_uploads
from .portal import CmrCustomerPortal, _to_int, portal_text

MAX_FIELD_LENGTH = 120
# one address, local@domain.tld (email_normalize alone makes "a@@b" "@b")
EMAIL_RE = re.compile(r"[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"'.]+")


class CmrApplyPortal(CmrCustomerPortal):
    # ------------------------------------------------------------------
    # Catalogue (public)
    # ------------------------------------------------------------------
    def _cmr_open_intakes(self):
        """The catalogue's intakes (open for application today, of the
        company the page is served for: ``edu.intake._edu_catalogue_domain``),
        read as superuser: the catalogue shows their public fields only."""
        Intake = request.env["edu.intake"].sudo()
        return Intake.search(
            Intake._edu_catalogue_domain(), order="programme_id, date_start, id"
        )

    def _cmr_catalogue_intake(self, intake_id):
        """The intake ``intake_id`` when it is in the catalogue today
        (superuser, public fields only), else an empty recordset: one search
        by id, whatever the number of open intakes."""
        intake_id = _to_int(intake_id)
        Intake = request.env["edu.intake"].sudo()
        if not intake_id:
            return Intake
        return Intake.search(
            [("id", "=", intake_id), *Intake._edu_catalogue_domain()], limit=1
        )

    def _cmr_plans(self, company):
        return (
            request.env["edu.payment.plan"]
            .sudo()
            .search([("company_id", "in", [False, company.id])])
        )

    def _cmr_funding_labels(self):
        """``[(key, label)]`` of the funding options of an application."""
        env = request.env
        return env["crm.lead"].sudo()._fields["edu_funding"]._description_selection(env)

    def _cmr_signup_allowed(self):
        return request.env["res.users"].sudo()._get_signup_invitation_scope() == "b2c"

    @http.route(
        "/programmes", type="http", auth="public", website=True, methods=["GET"]
    )
    def cmr_catalogue(self, **kw):
        intakes = self._cmr_open_intakes()
        values = {
            "page_name": "cmr_catalogue",
            "cmr_programmes": intakes.programme_id,
            "cmr_intakes": intakes,
        }
        return request.render("cmr_portal.cmr_catalogue", values)

    @http.route(
        "/programmes/intake/<int:intake_id>",
        type="http",
        auth="public",
        website=True,
        methods=["GET"],
    )
    def cmr_catalogue_intake(self, intake_id, plan_id=None, **kw):
        intake = self._cmr_catalogue_intake(intake_id)
        if not intake:
            raise request.not_found()
        programme = intake.programme_id
        company = programme.company_id
        currency = company.currency_id
        price = programme._edu_tuition_price(currency, intake.date_start)
        plans = self._cmr_plans(company)
        plan = plans.filtered(lambda p: p.id == _to_int(plan_id))[:1]
        schedule = (
            plan._edu_schedule(price, currency, intake.date_start) if plan else []
        )
        values = {
            "page_name": "cmr_catalogue",
            "cmr_intake": intake,
            "cmr_programme": programme,
            "cmr_currency": currency,
            "cmr_price": price,
            "cmr_plans": plans,
            "cmr_plan": plan,
            "cmr_schedule": schedule,
            "cmr_funding_labels": self._cmr_funding_labels(),
            "cmr_signup_allowed": self._cmr_signup_allowed(),
            "cmr_is_public": request.env.user._is_public(),
        }
        return request.render("cmr_portal.cmr_catalogue_intake", values)

    # ------------------------------------------------------------------
    # Application form (logged in)
    # ------------------------------------------------------------------
    def _cmr_apply_values(self, intake, partner_sudo, form=None, errors=None):
        env = request.env
        lists, optin = partner_sudo._cmr_topic_state()
        form = form or {
            "contact_name": partner_sudo.name,
            "email": partner_sudo.email or "",
            "phone": partner_sudo.phone or "",
            "funding": "self_paid",
            "topic_ids": set(optin.ids),
            "preferred_channel": partner_sudo.cmr_preferred_channel or "",
        }
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="cmr_apply",
            cmr_intake=intake,
            cmr_programme=intake.programme_id,
            cmr_requirements=intake.programme_id.requirement_ids,
            cmr_lists=lists,
            cmr_funding_labels=self._cmr_funding_labels(),
            cmr_channel_labels=partner_sudo._fields[
                "cmr_preferred_channel"
            ]._description_selection(env),
            cmr_form=form,
            cmr_errors=errors or [],
        )
        return values

    def _cmr_apply_page(self, intake, partner_sudo, form=None, errors=None, status=200):
        return request.render(
            "cmr_portal.cmr_apply",
            self._cmr_apply_values(intake, partner_sudo, form, errors),
            status=status,
        )

    def _cmr_parse_application_texts(self, post, form, errors):
        """``(texts, email)`` of the posted application: the typed texts by
        field name and the normalised email (False when not valid); the
        texts are put in ``form``, the refusals appended to ``errors``."""
        env = request.env
        _ = env._
        texts = {}
        for name, label in (
            ("contact_name", _("Your name")),
            ("email", _("Your email")),
            ("phone", _("Your phone")),
            ("national_id", _("Your national ID")),
            ("sponsor_name", _("The sponsor organisation")),
        ):
            text, error = portal_text(env, post.get(name), MAX_FIELD_LENGTH, label)
            form[name] = texts[name] = text
            if error:
                errors.append(error)
        if not texts["contact_name"]:
            errors.append(_("Give your name."))
        email = (
            email_normalize(texts["email"])
            if EMAIL_RE.fullmatch(texts["email"])
            else False
        )
        if not email:
            errors.append(_("Give a valid email address, such as name@example.com."))
        return texts, email

    def _cmr_parse_birthdate(self, post, form, errors):
        """The posted date of birth (False when not given); the text is put
        in ``form``, a refusal appended to ``errors``."""
        env = request.env
        _ = env._
        birthdate = False
        form["birthdate"] = raw_birthdate = (post.get("birthdate") or "").strip()[:10]
        if raw_birthdate:
            try:
                birthdate = datetime.date.fromisoformat(raw_birthdate)
            except ValueError:
                errors.append(_("Give your date of birth as a date."))
            else:
                if birthdate >= fields.Date.context_today(env.user):
                    errors.append(_("Your date of birth must be in the past."))
        return birthdate

    @http.route(
        "/apply/<int:intake_id>",
        type="http",
        auth="user",
        website=True,
        methods=["GET"],
    )
    def cmr_apply(self, intake_id, **kw):
        intake = self._cmr_catalogue_intake(intake_id)
        if not intake:
            raise request.not_found()
        partner_sudo = request.env.user.partner_id.sudo()
        return self._cmr_apply_page(intake, partner_sudo)

    def _cmr_parse_application(self, post, intake, channel_labels, lists):
        """``(lead values, files, preference values, topic ids, form,
        errors)`` of the posted application: the shape of each value."""
        env = request.env
        _ = env._
        errors = []
        form = {}
        texts, email = self._cmr_parse_application_texts(post, form, errors)
        birthdate = self._cmr_parse_birthdate(post, form, errors)
        funding = post.get("funding") or ""
        form["funding"] = funding
        if funding not in dict(self._cmr_funding_labels()):
            errors.append(_("Choose how your studies are funded."))
        if funding == "sponsored" and not texts["sponsor_name"]:
            errors.append(_("Name the organisation that sponsors you."))
        preferred = post.get("preferred_channel") or ""
        form["preferred_channel"] = preferred
        if preferred and preferred not in dict(channel_labels):
            errors.append(_("Choose one of the channels offered as preferred channel."))
        topic_ids = {lst.id for lst in lists if post.get(f"topic_{lst.id}")}
        form["topic_ids"] = topic_ids
        form["sponsor_consent"] = bool(post.get("sponsor_consent"))
        files = requirement_uploads(
            intake.programme_id.requirement_ids, APPLICATION_MAX_BYTES
        )
        lead_values = {
            "contact_name": texts["contact_name"],
            "email_from": email or texts["email"],
            "phone": texts["phone"] or False,
            "edu_funding": funding or False,
            "edu_sponsor_name": texts["sponsor_name"]
            if funding == "sponsored"
            else False,
            "edu_national_id": texts["national_id"] or False,
            "edu_birthdate": birthdate,
        }
        preference_values = {
            "cmr_preferred_channel": preferred or False,
            "cmr_sponsor_consent": form["sponsor_consent"],
        }
        return lead_values, files, preference_values, topic_ids, form, errors

    @http.route(
        "/apply/<int:intake_id>",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def cmr_apply_submit(self, intake_id, **post):
        env = request.env
        # a closed, past or full intake gets the model's message, not a 404;
        # another company's intake is not in this catalogue at all
        intake = env["edu.intake"].sudo().browse(_to_int(intake_id) or 0).exists()
        if not intake or intake.company_id != env.company:
            raise request.not_found()
        # the person applies for themselves: identity from the session
        partner_sudo = env.user.partner_id.sudo()
        lists, _optin = partner_sudo._cmr_topic_state()
        channel_labels = partner_sudo._fields[
            "cmr_preferred_channel"
        ]._description_selection(env)
        lead_values, files, prefs, topic_ids, form, errors = (
            self._cmr_parse_application(post, intake, channel_labels, lists)
        )
        # every send counts, a bot's too
        limited = rate_limited("application", lead_values["email_from"])
        if honeypot_tripped(post):
            errors = [env._("Your application could not be sent.")]
        elif limited:
            errors = [
                env._(
                    "Too many applications were sent from here: try again in an hour."
                )
            ]
        lead_sudo = None
        if not errors:
            try:
                with env.cr.savepoint():
                    lead_sudo = (
                        env["crm.lead"]
                        .sudo()
                        ._edu_apply_online(partner_sudo, intake, lead_values, files)
                    )
                    partner_sudo._cmr_apply_preferences(
                        prefs, topic_ids, partner_sudo.is_blacklisted, "application"
                    )
            except (UserError, ValidationError) as exc:
                errors.append(str(exc.args[0]))
        if errors:
            return self._cmr_apply_page(
                intake, partner_sudo, form=form, errors=errors, status=400
            )
        return request.redirect(f"/my/applications/{lead_sudo.id}?sent=1")
