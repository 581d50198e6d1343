{
    "name": "Education CRM",
    "summary": "Students, applicants, programmes, admissions funnel, enrolments, "
    "tuition and numbered documents on CRM and Accounting",
    "version": "18.0.1.0.0",
    "category": "Education",
    "license": "LGPL-3",
    "author": "Education CRM Team",
    "website": "https://github.com/edu-crm/edu-crm",
    "depends": ["crm", "account", "survey", "sms", "mass_mailing", "contacts"],
    "data": [
        "security/edu_crm_groups.xml",
        "security/ir.model.access.csv",
        # security: records
        # security: documents
        # security: tuition
        "views/edu_crm_menus.xml",
        # data: records
        # data: documents
        # data: tuition
        # views: records
        # views: documents
        # views: tuition
    ],
    "demo": [
        # demo: records
        # demo: documents
        # demo: tuition
    ],
    "assets": {
        "web.assets_tests": [
            # tours
        ],
    },
    "application": True,
    "installable": True,
}
