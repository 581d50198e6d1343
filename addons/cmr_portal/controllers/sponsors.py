"""The sponsor pages: the consenting students of the sponsor's organisation
and their enrolments (the tuition part adds what the sponsor pays)."""

from odoo import http
from odoo.http import request

from .portal import CmrCustomerPortal


class CmrSponsorsPortal(CmrCustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "cmr_sponsored_count" in counters:
            values["cmr_sponsored_count"] = len(self._cmr_sponsored_students())
        return values

    def _cmr_sponsored_students(self):
        """Students of the user's organisation who gave their consent (sudo:
        the domain itself is the access check)."""
        organisation = request.env.user.partner_id.commercial_partner_id
        if not organisation.sudo().edu_is_sponsor:
            return request.env["res.partner"]
        return (
            request.env["res.partner"]
            .sudo()
            .search(
                [
                    ("edu_sponsor_ids", "in", organisation.ids),
                    ("cmr_sponsor_consent", "=", True),
                ],
                order="name, id",
            )
        )

    @http.route("/my/sponsored", type="http", auth="user", website=True)
    def cmr_sponsored(self, **kw):
        students_sudo = self._cmr_sponsored_students()
        # enrolments through the record rules (sponsor + consent)
        enrollments = request.env["edu.enrollment"].search(
            [("partner_id", "in", students_sudo.ids)]
        )
        by_student = {}
        for enrollment in enrollments.sudo():
            by_student.setdefault(enrollment.partner_id.id, []).append(enrollment)
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="cmr_sponsored",
            students=students_sudo,
            enrollments_by_student=by_student,
        )
        return request.render("cmr_portal.portal_my_sponsored", values)

    @http.route(
        "/my/sponsored/<int:student_id>", type="http", auth="user", website=True
    )
    def cmr_sponsored_student(self, student_id, **kw):
        students_sudo = self._cmr_sponsored_students()
        student_sudo = students_sudo.filtered(lambda s: s.id == student_id)
        if not student_sudo:
            return request.redirect("/my")
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="cmr_sponsored_student",
            student=student_sudo,
            enrollments=request.env["edu.enrollment"]
            .search([("partner_id", "=", student_sudo.id)])
            .sudo(),
        )
        values.update(self._cmr_sponsored_student_extra(student_sudo))
        return request.render("cmr_portal.portal_my_sponsored_student", values)
