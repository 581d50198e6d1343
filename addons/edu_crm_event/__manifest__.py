{
    "name": "Education CRM: Events",
    "summary": "Leads from open day registrations land on the person, in Admissions",
    "version": "18.0.1.3.0",
    "category": "Education",
    "license": "LGPL-3",
    "author": "Education CRM Team",
    "website": "https://github.com/edu-crm/edu-crm",
    "depends": ["edu_crm", "event_crm"],
    "data": [
        "data/utm_source_data.xml",
        "views/edu_timeline_views.xml",
        "views/event_event_views.xml",
    ],
    "demo": [
        "demo/edu_crm_event_demo.xml",
    ],
    "auto_install": True,
    "installable": True,
}
