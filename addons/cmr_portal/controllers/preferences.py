"""The preferences page, and the parsing of the preference form it shares
with Odoo's token-protected mailing page (``mailing.py``)."""

import re

from odoo import Command, http
from odoo.exceptions import ValidationError
from odoo.http import request

from ..models.res_partner import format_hour
from .portal import CmrCustomerPortal

MAX_CONTACTS_LIMIT = 999
TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_hour(raw):
    """'HH:MM' -> float hours; '' -> 0.0; anything else -> None."""
    raw = (raw or "").strip()
    if not raw:
        return 0.0
    match = TIME_RE.match(raw)
    if not match:
        return None
    return int(match.group(1)) + int(match.group(2)) / 60.0


def follow_language(lang):
    """Answer this request in ``lang`` and make it the portal's language for
    the next ones; ``False`` when ``lang`` is not a language of the site.

    The portal's language is the URL's prefix, else the ``frontend_lang``
    cookie (Odoo's http_routing), never the partner's language: as
    website's ``/website/lang/<lang>`` does, set the cookie (on the future
    response, after the one http_routing sets for the language of this
    request) and the context's language (for URLs and the page)."""
    if lang not in request.env["res.lang"]._get_frontend():
        return False
    request.update_context(lang=lang)
    request.future_response.set_cookie("frontend_lang", lang)
    return True


def preference_context(partner_sudo):
    """Values the preference form template needs, for one partner (sudo,
    already checked by the caller)."""
    env = request.env
    lists, optin = partner_sudo._cmr_topic_state()
    Partner = env["res.partner"]
    quiet_hours = partner_sudo._pressure_quiet_hours_set()
    return {
        "cmr_partner": partner_sudo,
        "cmr_channels": env["campaign.pressure.channel"].sudo().search([]),
        "cmr_blocked": partner_sudo.pressure_blocked_channel_ids,
        "cmr_lists": lists,
        "cmr_optin": optin,
        "cmr_langs": env["res.lang"].get_installed(),
        "cmr_weekdays": list(enumerate(Partner._pressure_weekday_labels())),
        "cmr_quiet_days": partner_sudo._pressure_quiet_weekdays(),
        "cmr_quiet_from": format_hour(partner_sudo.pressure_quiet_from)
        if quiet_hours
        else "",
        "cmr_quiet_to": format_hour(partner_sudo.pressure_quiet_to)
        if quiet_hours
        else "",
        "cmr_nothing": partner_sudo.is_blacklisted,
        "cmr_max_contacts": partner_sudo.pressure_max_contacts,
        "cmr_period": partner_sudo.pressure_period,
        "cmr_preferred": partner_sudo.cmr_preferred_channel,
        "cmr_lang": partner_sudo.lang,
        "cmr_consent": partner_sudo.cmr_sponsor_consent,
        "cmr_period_labels": dict(
            partner_sudo._fields["pressure_period"]._description_selection(env)
        ),
        "cmr_channel_labels": dict(
            partner_sudo._fields["cmr_preferred_channel"]._description_selection(env)
        ),
    }


def posted_context(post, context):
    """The form's values as the person typed them, to show the form again
    after an invalid submission: nothing entered is lost. QWeb escapes them."""
    channels = context["cmr_channels"]

    def typed(name):
        # as typed, short, without NUL (which no page or database can hold)
        return (post.get(name) or "")[:20].replace("\x00", "")

    return {
        "cmr_blocked": channels.filtered(lambda c: not post.get(f"channel_{c.code}")),
        "cmr_max_contacts": typed("max_contacts"),
        "cmr_period": post.get("period"),
        "cmr_quiet_from": typed("quiet_from"),
        "cmr_quiet_to": typed("quiet_to"),
        "cmr_quiet_days": {day for day in range(7) if post.get(f"quiet_day_{day}")},
        "cmr_preferred": post.get("preferred_channel"),
        "cmr_lang": post.get("lang"),
        "cmr_consent": bool(post.get("sponsor_consent")),
        "cmr_optin": context["cmr_lists"].filtered(
            lambda mailing_list: post.get(f"topic_{mailing_list.id}")
        ),
        "cmr_nothing": bool(post.get("nothing")),
    }


def parse_preferences(post, context, with_consent=False):
    """Validate the posted form.

    :return: (vals for res.partner.write, set of list ids to be subscribed to,
      "nothing at all" flag, list of error messages)
    """
    _ = request.env._
    errors = []
    vals = {}
    channels = context["cmr_channels"]
    blocked = channels.filtered(lambda c: not post.get(f"channel_{c.code}"))
    vals["pressure_blocked_channel_ids"] = [Command.set(blocked.ids)]
    for part_vals, part_errors in (
        _parse_cap(post, context),
        _parse_quiet_time(post),
    ):
        vals.update(part_vals)
        errors += part_errors

    preferred = post.get("preferred_channel") or False
    if preferred and preferred not in context["cmr_channel_labels"]:
        errors.append(_("Choose one of the channels offered as preferred channel."))
    else:
        vals["cmr_preferred_channel"] = preferred

    lang = post.get("lang")
    if lang:
        if lang not in {code for code, _name in context["cmr_langs"]}:
            errors.append(_("Choose one of the languages offered."))
        else:
            vals["lang"] = lang

    if with_consent:
        vals["cmr_sponsor_consent"] = bool(post.get("sponsor_consent"))

    topics = set()
    for mailing_list in context["cmr_lists"]:
        if post.get(f"topic_{mailing_list.id}"):
            topics.add(mailing_list.id)
    nothing = bool(post.get("nothing"))
    return vals, topics, nothing, errors


def _parse_cap(post, context):
    """The person's cap in the posted form (the maximum and its period):
    (res.partner vals, error messages)."""
    _ = request.env._
    vals, errors = {}, []
    raw_max = (post.get("max_contacts") or "0").strip()
    if not raw_max.isdigit() or len(raw_max) > 3 or int(raw_max) > MAX_CONTACTS_LIMIT:
        errors.append(
            _(
                "The maximum number of messages must be a whole number "
                "from 0 to %(max)s.",
                max=MAX_CONTACTS_LIMIT,
            )
        )
    else:
        vals["pressure_max_contacts"] = int(raw_max)
    period = post.get("period") or "month"
    if period not in context["cmr_period_labels"]:
        errors.append(_("Choose a week or a month for your maximum."))
    else:
        vals["pressure_period"] = period
    return vals, errors


def _parse_quiet_time(post):
    """The quiet hours and quiet days in the posted form: (res.partner vals,
    error messages)."""
    _ = request.env._
    vals, errors = {}, []
    quiet_from = parse_hour(post.get("quiet_from"))
    quiet_to = parse_hour(post.get("quiet_to"))
    if quiet_from is None or quiet_to is None:
        errors.append(_("Quiet hours must be times such as 21:00."))
    else:
        vals["pressure_quiet_from"] = quiet_from
        vals["pressure_quiet_to"] = quiet_to
    vals.update(
        request.env["res.partner"]._pressure_quiet_day_values(
            day for day in range(7) if post.get(f"quiet_day_{day}")
        )
    )
    return vals, errors


class CmrPreferencesPortal(CmrCustomerPortal):
    def _cmr_preferences_values(self, partner_sudo, **extra):
        values = self._prepare_portal_layout_values()
        values.update(preference_context(partner_sudo))
        values.update(
            page_name="cmr_preferences",
            cmr_form_action="/my/preferences",
            cmr_with_consent=True,
            # the person's own log lines, read through the record rules
            cmr_consent_logs=request.env["cmr.consent.log"].search(
                [("partner_id", "=", partner_sudo.id)], limit=20
            ),
        )
        values.update(extra)
        return values

    @http.route(
        "/my/preferences", type="http", auth="user", website=True, methods=["GET"]
    )
    def cmr_preferences(self, **kw):
        partner_sudo = request.env.user.partner_id.sudo()
        return request.render(
            "cmr_portal.portal_my_preferences",
            self._cmr_preferences_values(
                partner_sudo, cmr_saved=kw.get("saved") == "1"
            ),
        )

    @http.route(
        "/my/preferences", type="http", auth="user", website=True, methods=["POST"]
    )
    def cmr_preferences_save(self, **post):
        # the person edits their own partner only: identity from the session
        partner_sudo = request.env.user.partner_id.sudo()
        context = preference_context(partner_sudo)
        vals, topics, nothing, errors = parse_preferences(
            post, context, with_consent=True
        )
        if not errors:
            try:
                with request.env.cr.savepoint():
                    partner_sudo._cmr_apply_preferences(vals, topics, nothing, "portal")
            except ValidationError as error:
                errors.append(str(error.args[0]))
        if errors:
            return request.render(
                "cmr_portal.portal_my_preferences",
                self._cmr_preferences_values(
                    partner_sudo, cmr_errors=errors, **posted_context(post, context)
                ),
                status=400,
            )
        path = "/my/preferences?saved=1"
        if follow_language(partner_sudo.lang):
            # the language's prefix, as the page in the chosen language
            path = request.env["ir.http"]._url_for(path)
        return request.redirect(path)
