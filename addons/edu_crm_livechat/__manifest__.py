{
    "name": "Education CRM: Live Chat",
    "summary": "Leads made from live chats land on the person, in Admissions",
    "version": "18.0.1.3.0",
    "category": "Education",
    "license": "LGPL-3",
    "author": "Education CRM Team",
    "website": "https://github.com/edu-crm/edu-crm",
    "depends": ["edu_crm", "crm_livechat"],
    "data": [
        "views/edu_timeline_views.xml",
    ],
    "demo": [
        "demo/edu_crm_livechat_demo.xml",
    ],
    "auto_install": True,
    "installable": True,
}
