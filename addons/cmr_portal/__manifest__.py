{
    "name": "Customer-Managed Relationship Portal",
    "summary": "Students, applicants and sponsors manage preferences, records, "
    "tuition and requests in the portal",
    "version": "18.0.1.3.0",
    "category": "Education",
    "license": "LGPL-3",
    "author": "Education CRM Team",
    "website": "https://github.com/edu-crm/edu-crm",
    "depends": [
        "edu_crm",
        "campaign_pressure",
        "portal",
        "account_payment",
    ],
    "data": [
        "security/ir.model.access.csv",
        "security/cmr_portal_security.xml",
        "data/cmr_request_data.xml",
        "views/cmr_portal_menus.xml",
        "views/cmr_request_views.xml",
        "views/cmr_feedback_views.xml",
        "views/cmr_consent_log_views.xml",
        "views/res_partner_views.xml",
        "views/edu_document_type_views.xml",
        "views/cmr_portal_templates.xml",
        "views/cmr_portal_preferences_templates.xml",
        "views/cmr_portal_communications_templates.xml",
        "views/cmr_portal_education_templates.xml",
        "views/cmr_portal_requests_templates.xml",
        "views/cmr_portal_tuition_templates.xml",
        "views/cmr_portal_sponsors_templates.xml",
    ],
    "demo": ["demo/cmr_portal_demo.xml"],
    "assets": {
        "web.assets_frontend": [
            "cmr_portal/static/src/scss/cmr_portal_tuition.scss",
        ],
        "web.assets_tests": [
            "cmr_portal/static/tests/tours/*.js",
        ],
    },
    "installable": True,
}
