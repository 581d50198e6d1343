from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.addons.mass_mailing_sms.tests.common import MassSMSCommon
from odoo.tests import new_test_user


class PressureCommon(MassSMSCommon):
    """Mass mailing (email + SMS) test tooling of Odoo with pressure data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        # rules of the database (demo) must not interfere
        env["campaign.pressure.rule"].search([]).active = False
        cls.channel_email = env.ref("campaign_pressure.channel_email")
        cls.channel_sms = env.ref("campaign_pressure.channel_sms")
        cls.channel_phone = env.ref("campaign_pressure.channel_phone")
        cls.channel_letter = env.ref("campaign_pressure.channel_letter")
        cls.all_channels = (
            cls.channel_email | cls.channel_sms | cls.channel_phone | cls.channel_letter
        )
        cls.user_pressure_manager = new_test_user(
            env,
            login="pressure_manager",
            groups="base.group_user,base.group_partner_manager,campaign_pressure.group_pressure_manager",
            name="Paula Pressure Manager",
            email="paula@example.com",
        )
        cls.engine = env["campaign.pressure.engine"]
        cls.partners = env["res.partner"].create(
            [
                {
                    "name": f"Pressure Person {i}",
                    "email": f"person{i}@pressure.test",
                    # not the demo people's +32 470 00 00 0x: with phonenumbers
                    # installed their numbers sanitise to the same +32470000001
                    "mobile": f"+3247100{i:04d}",
                    "country_id": env.ref("base.be").id,
                    "tz": "UTC",
                }
                for i in range(5)
            ]
        )
        cls.partner_a, cls.partner_b, cls.partner_c = cls.partners[:3]

    @classmethod
    def _create_rule(cls, **values):
        vals = {
            "name": "Test rule",
            "channel_ids": [Command.set(cls.all_channels.ids)],
            "window_type": "rolling",
            "window_days": 30,
            "max_contacts": 2,
        }
        vals.update(values)
        return cls.env["campaign.pressure.rule"].sudo().create(vals)

    @classmethod
    def _log_contacts(cls, partners, channel="email", days_ago=1, weight=1, **values):
        """Contacts in the log, as if sent ``days_ago`` days ago."""
        date = fields.Datetime.now() - timedelta(days=days_ago)
        return (
            cls.env["campaign.pressure.contact"]
            .sudo()
            .create(
                [
                    dict(
                        {
                            "person_key": f"p:{partner.id}",
                            "partner_id": partner.id,
                            "channel": channel,
                            "contact_date": date,
                            "weight": weight,
                            "source": "mailing",
                            "state": "confirmed",
                        },
                        **values,
                    )
                    for partner in partners
                ]
            )
        )

    def _create_partner_mailing(self, partners, mailing_type="mail", **values):
        vals = {
            "name": "Pressure mailing",
            "subject": "Pressure mailing",
            "mailing_type": mailing_type,
            "mailing_model_id": self.env["ir.model"]._get("res.partner").id,
            "mailing_domain": repr([("id", "in", partners.ids)]),
        }
        if mailing_type == "sms":
            vals["body_plaintext"] = "Hello by SMS"
        else:
            vals["body_html"] = "<p>Hello</p>"
        vals.update(values)
        return self.env["mailing.mailing"].create(vals)

    def _decide(self, partners, channel="email", message=None, **kwargs):
        requests = [{"ref": p.id, "partner_id": p.id} for p in partners]
        return self.engine._pressure_evaluate(
            requests, channel, message=message, lock=False, **kwargs
        )

    def _traces(self, mailing):
        return (
            self.env["mailing.trace"]
            .sudo()
            .search([("mass_mailing_id", "=", mailing.id)])
        )

    @classmethod
    def _create_crowd(cls, size, domain):
        """``size`` people with an email at ``domain``, sent in one batch of
        mails, with no capacity limit on email (a demo database may set
        costs)."""
        cls.env["ir.config_parameter"].sudo().set_param("mail.batch_size", 50)
        crowd = cls.env["res.partner"].create(
            [{"name": f"Crowd {i}", "email": f"crowd{i}@{domain}"} for i in range(size)]
        )
        cls.env["campaign.pressure.channel.cost"].search(
            [("channel_id", "=", cls.channel_email.id)]
        ).write({"capacity_limited": False})
        return crowd

    def _send_counting_queries(self, mailing, pattern, mail_unlink_sent=False):
        """Send ``mailing`` (SMTP mocked; sent mails deleted when
        ``mail_unlink_sent``): the number of queries of the send and the
        statements among them that match the regex ``pattern``."""
        cr = self.env.cr
        real_execute = cr.execute
        matched = []

        def execute(query, *args, **kwargs):
            if pattern.search(str(query)):
                matched.append(str(query))
            return real_execute(query, *args, **kwargs)

        with self.mock_mail_gateway(mail_unlink_sent=mail_unlink_sent):
            self.env.flush_all()
            before = cr.sql_log_count
            with patch.object(cr, "execute", execute):
                mailing.action_send_mail()
                self.env.flush_all()
            total = cr.sql_log_count - before
        return total, matched
