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
    {
      content: "Skipping the enrolment is refused",
      trigger:
        ".o_statusbar_status button:not(.o_arrow_button_current):contains('Enrolled')",
      run: "click",
    },
    {
      content: "The refusal says how an application gets enrolled",
      trigger: ".modal .modal-body:contains('only by being enrolled')",
    },
    {
      content: "Close the refusal",
      trigger: ".modal .modal-footer button.btn-primary",
      run: "click",
    },
    {
      content: "Give up the refused move",
      trigger: ".o_form_view .o_form_button_cancel",
      run: "click",
    },
    {
      content: "The application is still an offer",
      trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Offer')",
    },
    ...moveToStage("Accepted"),
    {
      content: "The accepted (won) application can be enrolled",
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

// The new-document form: the Source offers the records documents are issued
// from, the person is typed and chosen.
const SOURCE_MODELS = [
  "Enrolment",
  "Lead/Opportunity",
  "Survey User Input",
  "Tuition Contract",
];

registry.category("web_tour.tours").add("edu_document_form_tour", {
  url: "/odoo/action-edu_crm.edu_document_action",
  steps: () => [
    {
      content: "Create a document",
      trigger: ".o_list_button_add",
      run: "click",
    },
    {
      content: "Choose its type",
      trigger: ".o_field_widget[name='type_id'] input",
      run: "edit Certificate of Enrolment",
    },
    {
      trigger: ".o-autocomplete--dropdown-item:contains('Certificate of Enrolment')",
      run: "click",
    },
    {
      content: "Type the person",
      trigger: ".o_field_widget[name='partner_id'] input",
      run: "edit Tour Student",
    },
    {
      trigger: ".o-autocomplete--dropdown-item:contains('Tour Student Ярина')",
      run: "click",
    },
    {
      content: "The person is chosen",
      trigger: ".o_field_widget[name='partner_id'] input:value(Tour Student Ярина)",
    },
    {
      content: "The Source offers the records documents are issued from, no others",
      trigger: ".o_field_widget[name='source_ref'] select",
      run() {
        const labels = [...this.anchor.options]
          .map((option) => option.textContent.trim())
          .filter(Boolean);
        if (JSON.stringify(labels) !== JSON.stringify(SOURCE_MODELS)) {
          throw new Error(`Source lists ${labels.length} models: ${labels.join(", ")}`);
        }
      },
    },
    {
      content: "The source is an enrolment",
      trigger: ".o_field_widget[name='source_ref'] select",
      run: "select edu.enrollment",
    },
    {
      content: "Type the enrolment",
      trigger: ".o_field_widget[name='source_ref'] input",
      run: "edit Tour Student",
    },
    {
      trigger: ".o-autocomplete--dropdown-item:contains('Tour Student Ярина')",
      run: "click",
    },
    {
      content: "Issue it",
      trigger: ".o_form_view button[name='action_issue']",
      run: "click",
    },
    {
      content: "The document is issued",
      trigger:
        ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Issued')",
    },
  ],
});
