"""The requests pages (list, one request, a new question) and the feedback
page."""

from odoo import http
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from ..models.cmr_feedback import MAX_FEEDBACK_LENGTH
from ..models.cmr_request import MAX_TEXT_LENGTH
from .portal import CmrCustomerPortal, portal_text


class CmrRequestsPortal(CmrCustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "cmr_request_count" in counters:
            values["cmr_request_count"] = self._cmr_own_count("cmr.request")
        return values

    def _cmr_request_sortings(self):
        _ = request.env._
        return {
            "date": {"label": _("Newest"), "order": "create_date desc, id desc"},
            "name": {"label": _("Reference"), "order": "name desc, id desc"},
            "state": {"label": _("Status"), "order": "state, id desc"},
        }

    @http.route(
        ["/my/requests", "/my/requests/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def cmr_requests(self, page=1, sortby="date", **kw):
        return self._cmr_requests_page(page=page, sortby=sortby)

    def _cmr_requests_page(
        self, page=1, sortby="date", errors=None, form=None, status=200
    ):
        Request = request.env["cmr.request"]
        sortings = self._cmr_request_sortings()
        if sortby not in sortings:
            sortby = "date"
        domain = self._cmr_own_domain("cmr.request")
        can_read = Request.has_access("read")
        pager = portal_pager(
            url="/my/requests",
            total=Request.search_count(domain) if can_read else 0,
            page=page,
            step=self._items_per_page,
            url_args={"sortby": sortby},
        )
        requests_ = (
            Request.search(
                domain,
                order=sortings[sortby]["order"],
                limit=self._items_per_page,
                offset=pager["offset"],
            )
            if can_read
            else Request
        )
        request.session["my_cmr_requests_history"] = requests_.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="cmr_requests",
            cmr_requests=requests_.sudo(),
            pager=pager,
            sortby=sortby,
            searchbar_sortings=sortings,
            default_url="/my/requests",
            cmr_errors=errors or [],
            cmr_form=form or {},
        )
        return request.render("cmr_portal.portal_my_requests", values, status=status)

    @http.route(
        "/my/requests/<int:request_id>", type="http", auth="public", website=True
    )
    def cmr_request_page(self, request_id, access_token=None, **kw):
        try:
            request_sudo = self._document_check_access(
                "cmr.request", request_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._prepare_portal_layout_values()
        values.update(page_name="cmr_request", cmr_request=request_sudo)
        values = self._get_page_view_values(
            request_sudo, access_token, values, "my_cmr_requests_history", False, **kw
        )
        return request.render("cmr_portal.portal_my_request", values)

    @http.route(
        "/my/requests/new", type="http", auth="user", website=True, methods=["POST"]
    )
    def cmr_request_new(self, description=None, **post):
        env = request.env
        description, error = portal_text(
            env, description, MAX_TEXT_LENGTH, env._("Your question")
        )
        if not description and not error:
            error = env._("Describe your question.")
        if error:
            return self._cmr_requests_page(
                errors=[error], form={"description": description}, status=400
            )
        request_sudo = (
            env["cmr.request"]
            .sudo()
            .create(
                {
                    "partner_id": env.user.partner_id.id,
                    "request_type": "other",
                    "description": description,
                }
            )
        )
        return request.redirect(request_sudo.access_url)

    # ------------------------------------------------------------------
    # Feedback
    # ------------------------------------------------------------------
    def _cmr_feedback_values(self, **extra):
        env = request.env
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="cmr_feedback",
            # the labels of the rating field, in the reader's language
            cmr_ratings=env["cmr.feedback"]
            ._fields["rating"]
            ._description_selection(env),
        )
        values.update(extra)
        return values

    @http.route("/my/feedback", type="http", auth="user", website=True, methods=["GET"])
    def cmr_feedback(self, **kw):
        return request.render(
            "cmr_portal.portal_my_feedback",
            self._cmr_feedback_values(cmr_sent=kw.get("sent") == "1"),
        )

    @http.route(
        "/my/feedback", type="http", auth="user", website=True, methods=["POST"]
    )
    def cmr_feedback_post(self, rating=None, comment=None, **post):
        env = request.env
        errors = []
        ratings = dict(env["cmr.feedback"]._fields["rating"].selection)
        if not isinstance(rating, str) or rating not in ratings:
            errors.append(env._("Choose a rating from 1 to 5."))
            rating = None
        comment, error = portal_text(
            env, comment, MAX_FEEDBACK_LENGTH, env._("Your feedback")
        )
        if error:
            errors.append(error)
        if errors:
            return request.render(
                "cmr_portal.portal_my_feedback",
                self._cmr_feedback_values(
                    cmr_errors=errors, cmr_comment=comment, cmr_rating=rating
                ),
                status=400,
            )
        # the person gives feedback about themselves only: identity from the session
        env["cmr.feedback"].sudo().create(
            {
                "partner_id": env.user.partner_id.id,
                "rating": rating,
                "comment": comment or False,
            }
        )
        return request.redirect("/my/feedback?sent=1")
