{
    "name": "Education Journeys",
    "summary": "Marketing journeys on admissions leads and tuition instalments",
    "version": "18.0.1.3.0",
    "category": "Marketing/Email Marketing",
    "license": "LGPL-3",
    "author": "Education CRM Team",
    "website": "https://github.com/edu-crm/edu-crm",
    "depends": ["edu_crm", "campaign_pressure"],
    "demo": [
        "demo/edu_campaign_demo.xml",
    ],
    "auto_install": True,
    "installable": True,
}
