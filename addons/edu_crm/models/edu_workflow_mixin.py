from odoo import api, models
from odoo.exceptions import AccessError

EDU_USER = "edu_crm.group_edu_user"
EDU_MANAGER = "edu_crm.group_edu_manager"
# context keys of mail.thread that a client could send to keep a transition
# out of the chatter: a transition is always logged
AUDIT_CONTEXT = {"tracking_disable": False, "mail_notrack": False}


def check_edu_group(env, group_xmlid):
    """Raise an AccessError unless the caller is the superuser or in the group.

    Buttons are public methods: over JSON-RPC any logged-in user, portal
    included, may call them on any record they can read. Each one says who
    it is for with this check instead of trusting the view that shows it."""
    if env.su or env.user.has_group(group_xmlid):
        return
    raise AccessError(
        env._(
            "This action is reserved to the group %(group)s.",
            group=env.ref(group_xmlid).sudo().full_name,
        )
    )


class EduWorkflowMixin(models.AbstractModel):
    """State machines whose state, and the fields stamped with it, change
    only through their transition methods.

    A model lists the fields its transitions own in ``_edu_system_fields``
    (``edu.system.fields.mixin`` refuses them in a user's ``create`` and
    ``write``, whatever the context, defaults included). The transitions
    check the caller's group and the transition, then write those fields
    with ``_edu_workflow_write``: as superuser, while ``env.user`` stays the
    caller, so the chatter's tracking keeps the right author."""

    _name = "edu.workflow.mixin"
    _inherit = ["edu.system.fields.mixin"]
    _description = "State Machine Guard"

    # fields set by the transitions only (``state`` included)
    _edu_system_fields = frozenset({"state"})

    def _edu_workflow_write(self, vals):
        """Write workflow fields for a transition that checked its caller: the
        caller's write access (rights and record rules) is checked here, and
        the change is tracked whatever the context says."""
        self.check_access("write")
        return self.sudo().with_context(**AUDIT_CONTEXT).write(vals)

    @api.model
    def _edu_workflow_create(self, vals_list):
        """Create records past their initial state (e.g. enrolments of won
        applications): the caller's create access is checked on the new
        records (rights and record rules), all or nothing."""
        self.check_access("create")
        # the workflow fields are the caller's values, never defaults (a user
        # may keep personal defaults in ir.default)
        initial = self._fields["state"].default(self)
        blank = dict.fromkeys(self._edu_system_fields, False) | {"state": initial}
        vals_list = [blank | vals for vals in vals_list]
        with self.env.cr.savepoint():
            records = (
                self.sudo()
                .with_context(**AUDIT_CONTEXT, mail_create_nolog=False)
                .create(vals_list)
            )
            records = records.with_env(self.env)
            records.check_access("create")
        return records
