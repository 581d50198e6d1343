from odoo.tests import new_test_user
from odoo.tests.common import TransactionCase


class CmrPortalCommon(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.user_student = new_test_user(
            cls.env, login="cmr_student", groups="base.group_portal", name="Stella Student",
            email="stella@example.com",
        )
        cls.student = cls.user_student.partner_id
        cls.user_other = new_test_user(
            cls.env, login="cmr_other", groups="base.group_portal", name="Otto Other",
            email="otto@example.com",
        )
        cls.other = cls.user_other.partner_id
        cls.user_staff = new_test_user(
            cls.env, login="cmr_staff", groups="edu_crm.group_edu_user", name="Sam Staff",
        )
        cls.channel_email = cls.env.ref("campaign_pressure.channel_email")
        cls.channel_sms = cls.env.ref("campaign_pressure.channel_sms")
