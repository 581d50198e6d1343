from datetime import datetime

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .test_timeline import TimelineCommon


@tagged("post_install", "-at_install")
class TestTimelineAccess(TimelineCommon):
    """Each user sees on the timeline exactly the entries whose source they
    may read (model access and record rules), through every read an RPC
    client has: search_read, search_count, read_group, the person's file."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.seller = new_test_user(
            env, login="timeline_access_seller", groups="sales_team.group_sale_salesman"
        )
        cls.admissions_lead = env["crm.lead"].create(
            {
                "name": "Admissions lead",
                "type": "opportunity",
                "team_id": cls.team.id,
                "partner_id": cls.person.id,
                "company_id": cls.company.id,
            }
        )
        # a sales lead of another salesman: the Education user may not read it
        cls.sales_lead = env["crm.lead"].create(
            {
                "name": "Seller's deal",
                "type": "opportunity",
                "team_id": False,
                "user_id": cls.seller.id,
                "partner_id": cls.person.id,
                "company_id": False,
            }
        )
        for record in (cls.person, cls.admissions_lead, cls.sales_lead):
            record.message_post(
                body=f"Note on {record.display_name}",
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
            record.activity_schedule(
                activity_type_id=cls.phonecall.id,
                summary=f"Call on {record.display_name}",
                date_deadline=fields.Date.to_date("2026-03-01"),
            )
        cls._money_and_mailing()
        cls._timeline_readers()

    @classmethod
    def _money_and_mailing(cls):
        env = cls.env
        cls.invoice = cls.init_invoice(
            "out_invoice", partner=cls.person, amounts=[120.0], post=True
        )
        cls.payment = (
            env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=cls.invoice.ids)
            .create({"amount": 120.0, "payment_date": "2026-01-15"})
            ._create_payments()
        )
        mailing = env["mailing.mailing"].create(
            {
                "subject": "Open day access",
                "mailing_model_id": env.ref("base.model_res_partner").id,
            }
        )
        env["mailing.trace"].sudo().create(
            {
                "model": "res.partner",
                "res_id": cls.person.id,
                "mass_mailing_id": mailing.id,
                "trace_status": "sent",
                "sent_datetime": datetime(2026, 1, 10, 8, 0),
            }
        )

    @classmethod
    def _timeline_readers(cls):
        env = cls.env
        # employees who may read the timeline but neither Accounting nor CRM,
        # and the salesman with the same right: the ACLs of the sources decide
        readers = env["res.groups"].create({"name": "Timeline readers (test)"})
        env["ir.model.access"].create(
            {
                "name": "edu.timeline test readers",
                "model_id": env.ref("edu_crm.model_edu_timeline").id,
                "group_id": readers.id,
                "perm_read": True,
            }
        )
        cls.employee = new_test_user(
            env, login="timeline_access_employee", groups="base.group_user"
        )
        (cls.employee | cls.seller).write({"groups_id": [Command.link(readers.id)]})
        cls.portal = new_test_user(
            env, login="timeline_access_portal", groups="base.group_portal"
        )

    def _all_rows(self):
        self.env.flush_all()
        return self.env["edu.timeline"].search([("partner_id", "=", self.person.id)])

    def _may_read(self, user, row):
        """What the user may read of the row's source, asked of each model."""
        kind_model = {
            "message": "mail.message",
            "activity": "mail.activity",
            "mailing": "mailing.trace",
            "stage": "edu.lead.stage.history",
        }.get(row.kind)
        if kind_model and not self.env[kind_model].with_user(user).has_access("read"):
            return False
        record = self.env[row.res_model].browse(row.res_id).with_user(user)
        return record.has_access("read")

    def _visible(self, user):
        """The rows of the person for ``user``, through each RPC read; they
        must agree."""
        Timeline = self.env["edu.timeline"].with_user(user)
        domain = [("partner_id", "=", self.person.id)]
        ids = {row["id"] for row in Timeline.search_read(domain, ["id"])}
        self.assertEqual(Timeline.search_count(domain), len(ids))
        groups = Timeline.read_group(domain, ["kind"], ["kind"])
        self.assertEqual(sum(group["kind_count"] for group in groups), len(ids))
        # a page of the person reads each source up to its limit: the same
        # rows as the page of the view (the same domain, not pinned)
        every = Timeline.search([("partner_id.id", "=", self.person.id)])
        self.assertEqual(set(every.ids), ids)
        for offset in (0, 2):
            self.assertEqual(
                Timeline.search(domain, offset=offset, limit=3).ids,
                every.ids[offset : offset + 3],
            )
        return self.env["edu.timeline"].browse(ids)

    def _rows_of(self, rows, record):
        return rows.filtered(
            lambda row: (row.res_model, row.res_id) == (record._name, record.id)
        )

    def test_each_user_sees_exactly_the_sources_they_may_read(self):
        everything = self._all_rows()
        # the fixture reaches every case: rows of each source exist
        for record in (self.sales_lead, self.invoice, self.payment):
            self.assertTrue(self._rows_of(everything, record), record)
        self.assertTrue(everything.filtered(lambda r: r.kind == "mailing"))

        clerk = self._visible(self.clerk)
        self.assertEqual(
            clerk, everything.filtered(lambda row: self._may_read(self.clerk, row))
        )
        self.assertFalse(self._rows_of(clerk, self.sales_lead), "record rule")
        self.assertTrue(self._rows_of(clerk, self.admissions_lead))
        self.assertTrue(self._rows_of(clerk, self.invoice))
        self.assertFalse(clerk.filtered(lambda r: r.kind == "mailing"), "no ACL")

        marketer = self._visible(self.marketer)
        self.assertEqual(
            marketer,
            everything.filtered(lambda row: self._may_read(self.marketer, row)),
        )
        self.assertTrue(marketer.filtered(lambda r: r.kind == "mailing"))
        self.assertFalse(self._rows_of(marketer, self.sales_lead))

        employee = self._visible(self.employee)
        self.assertEqual(
            employee,
            everything.filtered(lambda row: self._may_read(self.employee, row)),
        )
        self.assertTrue(self._rows_of(employee, self.person))
        for record in (self.invoice, self.payment, self.admissions_lead):
            self.assertFalse(self._rows_of(employee, record), record)

        seller = self._visible(self.seller)
        self.assertEqual(
            seller, everything.filtered(lambda row: self._may_read(self.seller, row))
        )
        self.assertTrue(self._rows_of(seller, self.sales_lead), "their own lead")
        self.assertFalse(self._rows_of(seller, self.admissions_lead))

        with self.assertRaises(AccessError):
            self._visible(self.portal)

    def test_person_file_counts_what_the_user_sees(self):
        for user in (self.clerk, self.marketer):
            person = self.person.with_user(user)
            visible = self._visible(user)
            self.assertEqual(person.edu_timeline_count, len(visible), user.login)
            self.assertEqual(set(person.edu_timeline_ids.ids), set(visible.ids))
        self.assertLess(
            self.person.with_user(self.clerk).edu_timeline_count,
            len(self._all_rows()),
        )

    def test_hidden_rows_refused_by_id(self):
        """Over RPC a client may read rows by id: the same rows are refused."""
        everything = self._all_rows()
        hidden = self._rows_of(everything, self.sales_lead)[:1].with_user(self.clerk)
        shown = self._rows_of(everything, self.admissions_lead)[:1].with_user(
            self.clerk
        )
        self.assertTrue(hidden and shown)
        self.assertFalse(hidden.has_access("read"))
        self.assertTrue(shown.has_access("read"))
        self.assertEqual((hidden | shown)._filtered_access("read"), shown)
        with self.assertRaises(AccessError):
            hidden.read(["summary"])
        self.assertEqual(shown.read(["summary"])[0]["id"], shown.id)
