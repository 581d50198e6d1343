"""The communications page: the person's own timeline (what the
institution sent, planned and held back, with the reason, and their own
requests, applications, documents and payments), and the lists by channel
(emails and SMS, calls and letters, messages addressed to them on any
record)."""

from odoo import http
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.http import request

from .portal import CmrCustomerPortal

COMMUNICATION_STEP = 20


class CmrCommunicationsPortal(CmrCustomerPortal):
    def _cmr_communication_filters(self):
        _ = request.env._
        return {
            "timeline": {"label": _("Everything")},
            "marketing": {"label": _("Emails and SMS")},
            "calls": {"label": _("Calls and letters")},
            "messages": {"label": _("Messages")},
        }

    @http.route(
        ["/my/communications", "/my/communications/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def cmr_communications(self, page=1, filterby="timeline", **kw):
        env = request.env
        partner = env.user.partner_id
        filters = self._cmr_communication_filters()
        if filterby not in filters:
            filterby = "timeline"
        if filterby == "timeline":
            # staff-only model: read as superuser, on the person's own
            # entries of the kinds the portal shows (never internal notes)
            Model = env["edu.timeline"].sudo()
            domain = Model._cmr_portal_domain(partner)
            order = "date desc, id desc"
        elif filterby == "marketing":
            # record rules limit traces to the person's own email and numbers
            Model = env["mailing.trace"]
            domain = []
            order = "create_date desc, id desc"
        elif filterby == "calls":
            Model = env["campaign.pressure.contact"]
            domain = [
                ("partner_id", "=", partner.id),
                ("source", "in", ("activity", "letter")),
            ]
            order = "contact_date desc, id desc"
        else:
            Model = env["mail.message"]
            domain = [
                ("partner_ids", "in", partner.ids),
                ("message_type", "in", ("comment", "email")),
                ("subtype_id.internal", "=", False),
            ]
            order = "date desc, id desc"
        total = Model.search_count(domain)
        pager = portal_pager(
            url="/my/communications",
            total=total,
            page=page,
            step=COMMUNICATION_STEP,
            url_args={"filterby": filterby},
        )
        records = Model.search(
            domain, order=order, limit=COMMUNICATION_STEP, offset=pager["offset"]
        )
        values = self._prepare_portal_layout_values()
        rows = self._cmr_communication_rows(filterby, records, partner)
        values.update(
            page_name="cmr_communications",
            pager=pager,
            filterby=filterby,
            searchbar_filters=filters,
            default_url="/my/communications",
            cmr_rows=rows,
        )
        return request.render("cmr_portal.portal_my_communications", values)

    def _cmr_communication_rows(self, filterby, records, partner):
        """Plain dicts for the template: date, channel, subject, status, explanation."""
        env = request.env
        if filterby == "timeline":
            return env["edu.timeline"]._cmr_portal_rows(records, partner.sudo())
        if filterby == "marketing":
            return env["mailing.trace"]._cmr_portal_rows(records, partner.sudo())
        if filterby == "calls":
            channel_labels = dict(
                env["campaign.pressure.contact"]
                ._fields["channel"]
                ._description_selection(env)
            )
            state_labels = {
                "reserved": env._("Planned"),
                "confirmed": env._("Done"),
                "released": env._("Not done"),
            }
            return [
                {
                    "date": contact.contact_date,
                    "channel": channel_labels.get(contact.channel, ""),
                    "subject": contact.sudo().mailing_id.subject
                    or contact.sudo().campaign_id.name
                    or "",
                    "status": state_labels.get(contact.state, ""),
                    "sent": contact.state != "released",
                    "explanation": "",
                }
                for contact in records
            ]
        messages_sudo = records.sudo()
        return [
            {
                "date": message.date,
                "channel": env._("Email")
                if message.message_type == "email"
                else env._("Message"),
                "subject": message.subject or message.record_name or "",
                "status": env._("Sent"),
                "sent": True,
                "explanation": "",
            }
            for message in messages_sudo
        ]
