"""Reading the attack surface of our addons off the registry.

Any logged-in user can call any public method of any model over JSON-RPC
(``/web/dataset/call_kw``) and write any field their access rights allow.
These helpers list exactly that surface so that a test can compare it with
the reviewed tables of ``test_surface.py``.
"""

from odoo.models import MAGIC_COLUMNS

# the three addons and the auto-install glue modules between them and Odoo's
# apps (cmr_portal needs edu_crm and campaign_pressure, so edu_campaign is
# always there with it; edu_campaign_event when ``event`` is installed,
# edu_crm_event with ``event_crm``, edu_crm_livechat with ``crm_livechat``)
OURS = (
    "edu_crm",
    "campaign_pressure",
    "cmr_portal",
    "edu_campaign",
    "edu_campaign_event",
    "edu_crm_event",
    "edu_crm_livechat",
)


def _origin(cls):
    """The addon that defines ``cls`` (``odoo.addons.<addon>...``), or None."""
    parts = (cls.__module__ or "").split(".")
    if len(parts) > 2 and parts[:2] == ["odoo", "addons"]:
        return parts[2]
    return None


def public_methods(env):
    """``{(model, method)}``: the public methods that our addons add.

    A method counts when one of our classes defines it and no class of Odoo
    (or of another addon) in the model's hierarchy defines the same name:
    overrides of the framework's own methods (``write``, ``create``,
    ``action_archive``...) are Odoo's entry points, guarded there.
    """
    found = set()
    for model_name in env.registry:
        mro = type(env[model_name]).__mro__
        for cls in mro:
            if _origin(cls) not in OURS:
                continue
            for attr, value in vars(cls).items():
                if attr.startswith("_") or not callable(value):
                    continue
                if isinstance(value, type):
                    continue
                if any(
                    attr in vars(other) and _origin(other) not in OURS
                    for other in mro
                    if other is not cls
                ):
                    continue
                found.add((model_name, attr))
    return found


def _ours(field):
    """Whether one of our addons (glue modules included) declares ``field``
    or its last extension."""
    return field._module in OURS


def writable_fields(env, user):
    """``{(model, field)}``: the fields of our addons that ``user`` may write
    (or set at creation) as far as access rights and field groups go.

    Model-level guards (state machines, locked terms) come on top; the
    reviewed table says which fields have one.
    """
    found = set()
    for model_name in env.registry:
        model = env[model_name].with_user(user)
        if model._abstract:
            continue
        if not (model.has_access("write") or model.has_access("create")):
            continue
        for field_name, field in model._fields.items():
            if not _ours(field):
                continue
            if field_name in MAGIC_COLUMNS:  # the ORM's own
                continue
            if field.compute and not (field.store or field.inverse or field.related):
                continue
            if not field.is_accessible(model.env):
                continue
            found.add((model_name, field_name))
    return found
