from odoo import api, models
from odoo.exceptions import AccessError


def values_created(records, vals_list, fnames):
    """The values of ``fnames`` that ``records.create(vals_list)`` would
    store, one dict per entry: the given ones, else the defaults (the
    context's ``default_*`` keys and the user's ``ir.default`` included);
    fields with neither are left out."""
    missing = {fname for vals in vals_list for fname in fnames if fname not in vals}
    defaults = records.default_get(sorted(missing)) if missing else {}
    return [
        {
            fname: vals[fname] if fname in vals else defaults[fname]
            for fname in fnames
            if fname in vals or fname in defaults
        }
        for vals in vals_list
    ]


def fields_set_by_create(records, vals_list, fnames):
    """The fields of ``fnames`` that ``records.create(vals_list)`` would set
    (:func:`values_created`): a computed one at all (a given value is stored
    instead of the computation), another at a value other than empty or its
    own default. The one rule of a guard on fields only the system sets:
    this mixin's and the models that guard a few fields of their own
    (``crm.lead``'s offer and online application)."""
    forced = set()
    for values in values_created(records, vals_list, fnames):
        for fname, value in values.items():
            field = records._fields[fname]
            initial = field.default(records) if field.default else None
            if field.compute or (value and value != initial):
                forced.add(fname)
    return forced


class EduSystemFieldsMixin(models.AbstractModel):
    """Fields that only the system sets, refused to every other caller.

    Over JSON-RPC any user may call ``create`` and ``write`` with any values
    and any context, so a readonly field in a view protects nothing. A model
    names its system fields in ``_edu_system_fields`` (states, numbers,
    stamps, links and amounts the code sets); ``create`` and ``write`` refuse
    them to every environment that is not the superuser (``env.su``),
    whatever the context. ``_edu_fixed_fields`` are given at creation and
    never written afterwards (what a person asked, the record a line belongs
    to).

    A new record may carry a system field only at its own default (a draft
    state, a "/" number) or empty; a computed one not at all, since a value
    given to ``create`` would be stored instead of the computation. The
    values checked are those ``create`` would store: the given ones, else
    the context's ``default_*`` keys and the user's ``ir.default``.

    The code that does set them (transitions, sequences, jobs) writes as
    superuser, after checking its caller. The refusal says why in one
    message; a model whose fields move through named buttons says which
    (``_edu_system_fields_refusal``)."""

    _name = "edu.system.fields.mixin"
    _description = "System Fields Guard"

    # set by the system only: refused in a user's create and write
    _edu_system_fields = frozenset()
    # given at creation, then fixed: refused in a user's write
    _edu_fixed_fields = frozenset()

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            self._edu_refuse_system_fields(
                self._edu_system_fields_created(vals_list), creating=True
            )
        return super().create(self._edu_system_values(vals_list))

    def write(self, vals):
        if not self.env.su:
            self._edu_refuse_system_fields(
                self._edu_system_fields_written(vals), creating=False
            )
        return super().write(vals)

    def _edu_system_values(self, vals_list):
        """The values of new records completed with what the system sets at
        creation (a number from a sequence, ...): called after the guard."""
        return vals_list

    def _edu_system_fields_created(self, vals_list):
        """The system fields that ``create(vals_list)`` would set."""
        return fields_set_by_create(self, vals_list, self._edu_system_fields)

    def _edu_values_created(self, vals_list, fnames):
        """The values of ``fnames`` that ``create(vals_list)`` would store
        (:func:`values_created`)."""
        return values_created(self, vals_list, fnames)

    def _edu_system_fields_written(self, vals):
        """The system and fixed fields that ``write(vals)`` would change."""
        return vals.keys() & (self._edu_system_fields | self._edu_fixed_fields)

    def _edu_refuse_system_fields(self, fnames, creating):
        if fnames:
            raise AccessError(self._edu_system_fields_refusal(fnames, creating))

    def _edu_system_fields_refusal(self, fnames, creating):
        """Text of the error refusing the fields ``fnames``."""
        return self.env._(
            "%(fields)s of %(model)s are set by the system, not by a user.",
            fields=self._edu_field_labels(fnames),
            model=self.env["ir.model"]._get(self._name).name,
        )

    def _edu_field_labels(self, fnames):
        """The labels of ``fnames`` in the user's language, sorted, joined."""
        return ", ".join(
            sorted(self._fields[f].get_description(self.env)["string"] for f in fnames)
        )
