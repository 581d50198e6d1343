{
    "name": "Education Journeys",
    "summary": "Marketing journeys on admissions leads and tuition instalments",
    "version": "18.0.1.3.0",
    "category": "Marketing/Email Marketing",
    "license": "LGPL-3",
    "author": "Education CRM Team",
    "website": "https://github.com/edu-crm/edu-crm",
    "depends": ["edu_crm", "campaign_pressure"],
    "data": [
        "security/ir.model.access.csv",
        "security/edu_campaign_security.xml",
        "data/crm_lost_reason_response_data.xml",
        "views/crm_lost_reason_views.xml",
        "views/edu_campaign_result_views.xml",
    ],
    "demo": [
        "demo/edu_campaign_demo.xml",
        "demo/edu_campaign_result_demo.xml",
    ],
    "auto_install": True,
    "installable": True,
}
