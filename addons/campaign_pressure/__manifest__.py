{
    "name": "Campaign Pressure",
    "summary": "Cap marketing contacts per person across email, SMS, phone and post",
    "version": "18.0.1.0.0",
    "category": "Marketing/Email Marketing",
    "license": "LGPL-3",
    "author": "Education CRM Team",
    "website": "https://github.com/edu-crm/edu-crm",
    "depends": ["mass_mailing", "mass_mailing_sms"],
    "data": [],
    "demo": [],
    "installable": True,
}
