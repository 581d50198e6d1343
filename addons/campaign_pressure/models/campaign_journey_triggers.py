"""The triggers of journey steps: what each one watches."""

# triggers, with the kind of parent step they read and whether they fire on
# an event (run as soon as it is seen, within the window) or on its absence
# (run at the end of the window when it was not seen)
TRIGGERS = [
    ("after_parent", "After the parent step"),
    ("email_opened", "Email opened"),
    ("email_not_opened", "Email not opened"),
    ("email_clicked", "Email clicked"),
    ("email_not_clicked", "Email not clicked"),
    ("email_replied", "Email replied"),
    ("email_not_replied", "Email not replied"),
    ("email_bounced", "Email bounced"),
    ("sms_clicked", "SMS clicked"),
    ("sms_not_clicked", "SMS not clicked"),
    ("activity_done", "Activity done"),
    ("activity_not_done", "Activity not done"),
    ("response", "Response registered"),
    ("response_none", "No response registered"),
]
# triggers on the person's responses (campaign.response): any parent step,
# or none (the window starts at the entry)
RESPONSE_TRIGGERS = ("response", "response_none")
TRIGGER_PARENT_KIND = {
    trigger: trigger.split("_", 1)[0]
    for trigger, _label in TRIGGERS
    if trigger != "after_parent" and trigger not in RESPONSE_TRIGGERS
}
POSITIVE_TRIGGERS = (
    "email_opened",
    "email_clicked",
    "email_replied",
    "email_bounced",
    "sms_clicked",
    "activity_done",
    "response",
)
NEGATIVE_TRIGGERS = (
    *(t for t in TRIGGER_PARENT_KIND if t not in POSITIVE_TRIGGERS),
    "response_none",
)
