{
    "name": "Education Journeys: Events",
    "summary": "Open day journeys on event registrations",
    "version": "18.0.1.3.0",
    "category": "Marketing/Email Marketing",
    "license": "LGPL-3",
    "author": "Education CRM Team",
    "website": "https://github.com/edu-crm/edu-crm",
    "depends": ["edu_campaign", "event"],
    "demo": [
        "demo/edu_campaign_event_demo.xml",
    ],
    "auto_install": True,
    "installable": True,
}
