from odoo.tools import sql


def assert_uninstall_drops(case, model_name, hook, names):
    """``hook`` (the addon's uninstall hook) leaves nothing of the report of
    ``model_name`` that Odoo's uninstall would leave: before it, some of
    ``names`` (its relations) are materialized views, which
    ``ir.model._drop_table`` does not drop (it warns about the model's own,
    and does not know the others); after it and ``_drop_table``, none of
    them is left and nothing is warned about."""
    cr = case.env.cr
    kinds = {name: sql.table_kind(cr, name) for name in names}
    case.assertIn(sql.TableKind.Materialized, kinds.values())
    hook(case.env)
    model = case.env["ir.model"].search([("model", "=", model_name)])
    with case.assertNoLogs("odoo.addons.base.models.ir_model", "WARNING"):
        model._drop_table()
    case.assertEqual(
        {name: sql.table_kind(cr, name) for name in names}, dict.fromkeys(names)
    )
