from odoo.tests import TransactionCase, tagged

# the models whose records the portal reads (cmr_portal grants the portal
# read access to them): their backend views must not use a staff-only field
# from an element that such a reader could be shown
PORTAL_READ_MODELS = (
    "edu.enrollment",
    "edu.document",
    "edu.tuition.contract",
    "edu.tuition.instalment",
)


@tagged("post_install", "-at_install")
class TestViewAccessRights(TransactionCase):
    def test_views_consistent_with_field_groups(self):
        """Validating the views of edu_crm (what ``-u edu_crm`` does) logs no
        "Access Rights Inconsistency" warning, whichever addon gives the
        portal read access to the records it shows."""
        portal = self.env.ref("base.group_portal")
        Access = self.env["ir.model.access"].sudo()
        for model in PORTAL_READ_MODELS:
            if not Access.search_count(
                [("model_id.model", "=", model), ("group_id", "=", portal.id)]
            ):
                Access.create(
                    {
                        "name": f"{model} portal (test)",
                        "model_id": self.env["ir.model"]._get_id(model),
                        "group_id": portal.id,
                        "perm_read": True,
                    }
                )
        views = self.env["ir.ui.view"].browse(
            self.env["ir.model.data"]
            .search([("module", "=", "edu_crm"), ("model", "=", "ir.ui.view")])
            .mapped("res_id")
        )
        self.assertTrue(views.filtered(lambda v: v.model in PORTAL_READ_MODELS))
        with self.assertNoLogs("odoo.addons.base.models.ir_ui_view", "WARNING"):
            views._check_xml()
