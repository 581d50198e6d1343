/** @odoo-module **/

import {registry} from "@web/core/registry";

const APPLICANT = "Tour Applicant Оля Гнатюк";

function moveToStage(stage) {
  return [
    {
      content: `Move the application to ${stage}`,
      trigger: `.o_statusbar_status button:not(.o_arrow_button_current):contains('${stage}')`,
      run: "click",
    },
    {
      content: `The application is in ${stage}`,
      trigger: `.o_statusbar_status button.o_arrow_button_current:contains('${stage}')`,
    },
  ];
}

registry.category("web_tour.tours").add("edu_admission_tour", {
  url: "/odoo/action-edu_crm.crm_lead_action_applicants",
  steps: () => [
    {
      content: "Open the new inquiry from the admissions pipeline",
      trigger: `.o_kanban_record:contains('${APPLICANT}')`,
      run: "click",
    },
    {
      content: "The inquiry is in the first admissions stage",
      trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Inquiry')",
    },
    ...moveToStage("Application"),
    ...moveToStage("Documents"),
    ...moveToStage("Interview"),
    ...moveToStage("Offer"),
    ...moveToStage("Enrolled"),
    {
      content: "The won application can be enrolled",
      trigger: ".o_form_view button[name='action_edu_enrol']",
      run: "click",
    },
    {
      content: "The enrolment is created in the Enrolled state",
      trigger:
        ".o_form_view:has(.o_field_widget[name='student_number']) .o_statusbar_status button.o_arrow_button_current:contains('Enrolled')",
    },
    {
      content: "The enrolment belongs to the applicant",
      trigger: `.o_form_view:has(.o_field_widget[name='student_number']) .o_field_widget[name='partner_id']:contains('${APPLICANT}')`,
    },
    {
      content: "Print the certificate of enrolment",
      trigger: ".o_form_view button[name='action_issue_enrolment_certificate']",
      run: "click",
    },
    {
      content: "The issued certificate opens",
      trigger:
        ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Issued')",
    },
  ],
});
