{
    "name": "Customer-Managed Relationship Portal",
    "summary": "Students, applicants and sponsors manage preferences, records, "
    "tuition and requests in the portal",
    "version": "18.0.1.0.0",
    "category": "Education",
    "license": "LGPL-3",
    "author": "Education CRM Team",
    "website": "https://github.com/edu-crm/edu-crm",
    "depends": ["edu_crm", "campaign_pressure", "portal", "account_payment"],
    "data": [],
    "demo": [],
    "installable": True,
}
