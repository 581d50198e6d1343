"""The reviewed public surface of campaign_pressure, checked by
``test_guards_records.TestPressureGuardsRecords.test_public_surface_is_reviewed``."""

# Every public method that campaign_pressure defines (its own models and
# the models it extends), with who may call it. Reviewed: a new public
# method fails test_public_surface_is_reviewed until it is added here.
PUBLIC_METHODS = {
    # framework overrides: guards and bookkeeping of the ORM's own calls
    ("campaign.pressure.contact", "create"): "nobody but sudo (append-only log)",
    ("campaign.pressure.contact", "write"): "nobody but sudo (append-only log)",
    ("campaign.pressure.contact", "unlink"): "nobody but sudo (append-only log)",
    ("campaign.pressure.contact", "init"): "framework (module install)",
    ("campaign.pressure.rule", "create"): "pressure manager",
    ("campaign.pressure.rule", "write"): "pressure manager",
    ("campaign.pressure.rule", "unlink"): "pressure manager",
    ("campaign.pressure.letter", "create"): "mass-mailing user (ACL); no result",
    ("campaign.pressure.letter", "write"): "mass-mailing user (ACL); no result",
    ("campaign.pressure.letter", "default_get"): "mass-mailing user (ACL)",
    ("mail.activity", "create"): "Odoo's rights; marketing calls reserved",
    ("mail.activity", "write"): "Odoo's rights; retyped/moved calls reserved",
    ("mail.activity", "unlink"): "Odoo's rights; releases the call's reservation",
    ("mail.activity.type", "create"): "Odoo's rights; marketing call: manager",
    ("mail.activity.type", "write"): "Odoo's rights; marketing call: manager",
    ("mail.blacklist", "create"): "Odoo's rights (cools the person down)",
    ("mail.blacklist", "write"): "Odoo's rights (cools the person down)",
    ("mailing.subscription", "create"): "Odoo's rights (opt-out cools down)",
    ("mailing.subscription", "write"): "Odoo's rights (opt-out cools down)",
    ("mailing.mailing", "create"): "mass-mailing user; transactional: manager",
    ("mailing.mailing", "write"): "mass-mailing user; transactional: manager",
    ("mailing.mailing", "copy_data"): "mass-mailing user; keeps exempt: manager",
    ("mailing.mailing", "action_send_sms"): "mass-mailing user (Odoo's send)",
    ("mailing.trace", "create"): "Odoo's rights; pressure fields: sudo only",
    ("mailing.trace", "write"): "Odoo's rights; pressure fields: sudo only",
    ("campaign.pressure.simulation", "create"): "mass-mailing user (ACL); no result",
    ("campaign.pressure.simulation", "write"): "mass-mailing user (ACL); no result",
    ("campaign.pressure.simulation.plan.line", "create"): (
        "nobody but sudo (the plan's figures are the check's)"
    ),
    ("mail.activity.schedule", "action_schedule_activities"): "Odoo's rights",
    ("mail.activity.schedule", "action_schedule_activities_done"): "Odoo's rights",
    ("mail.activity.schedule", "action_schedule_plan"): "Odoo's rights",
    ("res.company", "write"): "Odoo's rights (settings)",
    ("res.partner", "init"): "framework (module install)",
    ("res.partner", "write"): "Odoo's rights; ending a cool-down: manager",
    # buttons
    ("campaign.pressure.letter", "action_log"): "mass-mailing user",
    ("campaign.pressure.simulation", "action_send"): "who may write the mailing",
    ("mailing.mailing", "action_check_pressure"): "mass-mailing user",
    ("mailing.mailing", "action_confirm_send"): "who may write the mailing",
    ("mailing.mailing", "action_view_pressure_held"): "mass-mailing user",
    ("res.partner", "action_view_pressure_contacts"): "mass-mailing user",
    # journeys (issue 14)
    (
        "campaign.journey",
        "create",
    ): "mass-mailing user; stamps: sudo; transactional: manager",
    (
        "campaign.journey",
        "write",
    ): "mass-mailing user; stamps: sudo; transactional: manager",
    ("campaign.journey", "unlink"): "mass-mailing user; not while running",
    ("campaign.journey", "action_launch"): "who may write the journey",
    ("campaign.journey", "action_stop"): "who may write the journey",
    ("campaign.journey", "action_open_test"): "who may write the journey",
    ("campaign.journey", "action_view_participants"): "who may read the journey",
    ("campaign.journey", "action_view_work_items"): "who may read the journey",
    (
        "campaign.journey.step",
        "create",
    ): "mass-mailing user; mailing sudo; cost: manager",
    (
        "campaign.journey.step",
        "write",
    ): "mass-mailing user; mailing sudo; cost: manager",
    ("campaign.journey.step", "unlink"): "mass-mailing user; not once it ran",
    ("campaign.journey.step", "action_view_work_items"): "who may read the step",
    ("campaign.journey.runner.owned", "create"): "nobody but sudo (the runner)",
    ("campaign.journey.runner.owned", "write"): "nobody but sudo (the runner)",
    ("campaign.journey.participant", "init"): "framework (module install)",
    ("campaign.journey.participant", "action_open_record"): "who may read it",
    ("campaign.journey.participant.step", "init"): "framework (module install)",
    ("campaign.journey.test", "create"): "mass-mailing user (ACL); no result",
    ("campaign.journey.test", "write"): "mass-mailing user (ACL); no result",
    ("campaign.journey.test", "action_run"): "who may write the journey",
    ("res.partner", "action_view_journey_participants"): "who may read the person",
    # campaign economics (issue 15)
    ("campaign.response", "create"): "mass-mailing user; other sources: sudo",
    ("campaign.response", "write"): "mass-mailing user; 'By hand' rows only",
    ("mailing.mailing", "action_put_in_queue"): "Odoo's rights; budget spent: refused",
    ("utm.campaign", "create"): "Odoo's rights; budget and company: manager",
    ("utm.campaign", "write"): "Odoo's rights; budget and company: manager",
    # channel costs: the cache of capacity-limited channels is cleared
    ("campaign.pressure.channel.cost", "create"): "pressure manager (ACL)",
    ("campaign.pressure.channel.cost", "write"): "pressure manager (ACL)",
    ("campaign.pressure.channel.cost", "unlink"): "pressure manager (ACL)",
    # a send batch deletes its mailing's sent mails once, at its end
    ("mail.mail", "unlink"): "Odoo's rights; Odoo's auto-delete: once per batch",
    # a journey step's mailing: sent by the journey runner alone (issue 14)
    ("mailing.mailing", "action_send_mail"): "Odoo's rights; step mailing: runner",
    ("mailing.mailing", "action_schedule"): "Odoo's rights; step mailing: runner",
    ("mailing.mailing", "action_test"): "Odoo's rights; step mailing: runner",
    ("mailing.mailing.test", "send_mail_test"): "Odoo's rights; step mailing: runner",
    ("mailing.sms.test", "action_send_sms"): "Odoo's rights; step mailing: runner",
}
