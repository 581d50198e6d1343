/** @odoo-module **/

import {registry} from "@web/core/registry";

// the journey form's domains are valid for a user who may not read the
// journey's target model (no "Invalid domain", no count of records)
registry.category("web_tour.tours").add("campaign_journey_domain_unlisted", {
  steps: () => [
    {
      content: "The entry domain is valid, without a count",
      trigger: ".o_field_widget[name=domain] .o_journey_domain_unlisted",
    },
    {
      content: "The goal is valid, without a count",
      trigger: ".o_field_widget[name=goal_domain] .o_journey_domain_unlisted",
    },
    {
      content: "No domain of the form says it is invalid",
      trigger:
        ".o_form_view:not(:has(.o_field_domain_panel .text-warning)):not(:has(.o_field_domain_panel .fa-spin))",
    },
  ],
});

// a user who reads the target model still sees the count of records
registry.category("web_tour.tours").add("campaign_journey_domain_counted", {
  steps: () => [
    {
      content: "The entry domain counts its records",
      trigger:
        ".o_field_widget[name=domain] .o_domain_show_selection_button:contains(record(s))",
    },
    {
      content: "Nothing is shown as unlisted",
      trigger: ".o_form_view:not(:has(.o_journey_domain_unlisted))",
    },
  ],
});
