from odoo import api, models
from odoo.exceptions import AccessError, UserError

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


def new_values(model, vals_list, fnames):
    """The values of ``fnames`` that ``model.create(vals_list)`` would store:
    the given ones, else the defaults (context ``default_*`` keys and
    ``ir.default`` included), one dict per entry of ``vals_list``."""
    missing = {fname for vals in vals_list for fname in fnames if fname not in vals}
    defaults = model.default_get(sorted(missing)) if missing else {}
    return [
        {
            fname: vals[fname] if fname in vals else defaults.get(fname)
            for fname in fnames
        }
        for vals in vals_list
    ]


class EduWorkflowMixin(models.AbstractModel):
    """State machines whose state, and the fields stamped with it, change
    only through their transition methods.

    Over JSON-RPC any user may call ``create`` and ``write`` with any values
    and any context, so a readonly field in a view protects nothing. A model
    lists the fields its transitions own in ``_edu_workflow_fields``;
    ``create`` and ``write`` refuse them to every environment that is not the
    superuser, whatever the context (defaults included). The transitions
    check the caller's group and the transition, then write those fields
    with ``_edu_workflow_write``: as superuser, while ``env.user`` stays the
    caller, so the chatter's tracking keeps the right author."""

    _name = "edu.workflow.mixin"
    _description = "State Machine Guard"

    # fields set by the transitions only (``state`` included)
    _edu_workflow_fields = frozenset({"state"})

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            self._edu_check_workflow_create(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            forced = vals.keys() & self._edu_workflow_fields
            if forced:
                raise UserError(self._edu_workflow_refusal(forced, creating=False))
        return super().write(vals)

    def _edu_check_workflow_create(self, vals_list):
        """A new record starts in the initial state, with no workflow field set."""
        fnames = sorted(self._edu_workflow_fields)
        initial = self._fields["state"].default(self)
        forced = set()
        for values in new_values(self, vals_list, fnames):
            for fname, value in values.items():
                if fname == "state":
                    if value and value != initial:
                        forced.add(fname)
                elif value:
                    forced.add(fname)
        if forced:
            raise UserError(self._edu_workflow_refusal(forced, creating=True))

    def _edu_workflow_refusal(self, fnames, creating):
        """Text of the error refusing the workflow fields ``fnames``."""
        labels = ", ".join(
            sorted(self._fields[f].get_description(self.env)["string"] for f in fnames)
        )
        return self.env._(
            "%(fields)s of %(model)s change only through its buttons.",
            fields=labels,
            model=self._description,
        )

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
        blank = dict.fromkeys(self._edu_workflow_fields, False) | {"state": initial}
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
