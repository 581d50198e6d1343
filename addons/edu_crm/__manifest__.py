{
    "name": "Education CRM",
    "summary": "Students, applicants, programmes, admissions funnel, enrolments, "
    "tuition and numbered documents on CRM and Accounting",
    "version": "18.0.1.3.0",
    "category": "Education",
    "license": "LGPL-3",
    "uninstall_hook": "uninstall_hook",
    "author": "Education CRM Team",
    "website": "https://github.com/edu-crm/edu-crm",
    "depends": ["crm", "account", "survey", "sms", "mass_mailing", "contacts"],
    "data": [
        "security/edu_crm_groups.xml",
        "security/ir.model.access.csv",
        # security: records
        "security/edu_crm_security.xml",
        # security: documents
        "security/edu_document_security.xml",
        # security: tuition
        "security/edu_tuition_security.xml",
        # security: online applications
        "security/edu_application_security.xml",
        # security: timeline
        "security/edu_timeline_security.xml",
        "views/edu_crm_menus.xml",
        # data: records
        "data/edu_sequence_data.xml",
        "data/edu_admission_data.xml",
        # data: documents
        "report/edu_document_reports.xml",
        "report/edu_document_offer_report.xml",
        "data/edu_document_type_data.xml",
        "data/edu_offer_data.xml",
        "data/edu_document_cron_data.xml",
        "data/edu_document_survey_data.xml",
        # data: tuition
        "data/edu_tuition_data.xml",
        "data/edu_reminder_data.xml",
        "wizard/edu_tuition_cancel_wizard_views.xml",
        # views: records
        "views/res_partner_views.xml",
        "views/edu_programme_views.xml",
        "views/edu_intake_views.xml",
        "views/edu_enrollment_views.xml",
        "views/crm_lead_views.xml",
        "views/edu_admission_report_views.xml",
        # views: documents
        "views/edu_document_views.xml",
        "views/edu_document_type_views.xml",
        "views/edu_document_enrollment_views.xml",
        "views/edu_document_survey_views.xml",
        # views: tuition
        "views/edu_tuition_contract_views.xml",
        "views/edu_tuition_enrollment_views.xml",
        "views/edu_payment_report_views.xml",
        "views/edu_payment_plan_views.xml",
        "views/edu_reminder_views.xml",
        "views/edu_cashin_forecast_views.xml",
        "views/edu_tuition_partner_views.xml",
        "views/edu_tuition_config_settings_views.xml",
        # views: online applications
        "views/edu_application_views.xml",
        "views/crm_lead_offer_views.xml",
        "views/crm_lost_reason_views.xml",
        # views: the person's file and timeline
        "views/edu_timeline_views.xml",
        "wizard/edu_call_log_views.xml",
        "views/res_partner_file_views.xml",
    ],
    "demo": [
        # demo: records
        "demo/edu_records_demo.xml",
        # demo: applications in the funnel, then enrolments and stage history
        "demo/edu_lead_demo.xml",
        "demo/edu_enrolment_demo.xml",
        # demo: documents
        "demo/edu_document_demo.xml",
        # demo: tuition
        "demo/edu_tuition_demo.xml",
        # demo: online applications
        "demo/edu_application_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            # tours
            "edu_crm/static/tests/tours/edu_admission_tour.js",
        ],
    },
    "application": True,
    "installable": True,
}
