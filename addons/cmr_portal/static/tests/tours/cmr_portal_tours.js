/** @odoo-module **/

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("cmr_portal_preferences", {
  url: "/my/preferences",
  steps: () => [
    {
      content: "Set a personal maximum of 2 messages",
      trigger: "input#cmr_max_contacts",
      run: "edit 2",
    },
    {
      content: "Per month",
      trigger: "select#cmr_period",
      run: "select month",
    },
    {
      content: "Turn SMS off",
      trigger: "input#cmr_channel_sms:checked",
      run: "click",
    },
    {
      content: "Save",
      trigger: "button#cmr_preferences_save",
      run: "click",
      expectUnloadPage: true,
    },
    {
      content: "The preferences are saved",
      trigger: "#cmr_saved",
    },
    {
      content: "SMS stays off after saving",
      trigger: "input#cmr_channel_sms:not(:checked)",
    },
    {
      content: "The change is in the history",
      trigger: "#cmr_consent_log_title",
    },
  ],
});

registry.category("web_tour.tours").add("cmr_portal_communications", {
  url: "/my/communications",
  steps: () => [
    {
      content: "The held-back message is explained in plain words",
      trigger:
        ".cmr_held .cmr_explanation:contains('you asked for at most 2 messages a month')",
    },
    {
      content: "The messages that went out are listed too",
      trigger: ".cmr_sent",
    },
  ],
});

registry.category("web_tour.tours").add("cmr_portal_pay_instalment", {
  url: "/my/tuition",
  steps: () => [
    {
      content: "The schedule is shown",
      trigger: ".cmr_instalment_row",
    },
    {
      content: "Pay the first instalment",
      trigger: "a.cmr_pay",
      run: "click",
      expectUnloadPage: true,
    },
    {
      content: "Enter the demo card number",
      trigger: "#pay_with input#customer_input",
      run: "edit 4242",
    },
    {
      content: "Pay",
      trigger: "#pay_with button[name=o_payment_submit_button]",
      run: "click",
      expectUnloadPage: true,
    },
    {
      content: "Odoo's payment status page processes the payment",
      trigger: "div[name=o_payment_status]",
      expectUnloadPage: true,
    },
    {
      content: "Back on the invoice: the payment is confirmed",
      trigger: "[name=o_payment_status_alert]:contains('Thank you')",
    },
  ],
});

registry.category("web_tour.tours").add("cmr_portal_sponsor", {
  url: "/my/sponsored",
  steps: () => [
    {
      content: "Open the sponsored student",
      trigger: "a:contains('Tess Tuition')",
      run: "click",
      expectUnloadPage: true,
    },
    {
      content: "The student's contract and schedule are shown",
      trigger: ".cmr_contract .cmr_instalment_row",
    },
    {
      content: "Back to the list through the breadcrumbs",
      trigger: ".breadcrumb a[href='/my/sponsored']",
      run: "click",
      expectUnloadPage: true,
    },
    {
      content: "The list is shown",
      trigger: "h1:contains('Sponsored Students')",
    },
  ],
});

registry.category("web_tour.tours").add("cmr_portal_pay_instalments", {
  url: "/my/tuition",
  steps: () => [
    {
      content: "Tick the first instalment",
      trigger: "tr.cmr_instalment_row:nth-child(1) input.cmr_pay_select",
      run: "click",
    },
    {
      content: "Tick the second instalment",
      trigger: "tr.cmr_instalment_row:nth-child(2) input.cmr_pay_select",
      run: "click",
    },
    {
      content: "Pay both at once",
      trigger: "button#cmr_pay_selected",
      run: "click",
      expectUnloadPage: true,
    },
    {
      content: "Both instalments are in the payment",
      trigger: "tr.cmr_pay_line:nth-child(2)",
    },
    {
      content: "Enter the demo card number",
      trigger: "#o_payment_form input#customer_input",
      run: "edit 4242",
    },
    {
      content: "Pay",
      trigger: "button[name=o_payment_submit_button]",
      run: "click",
      expectUnloadPage: true,
    },
    {
      content: "Odoo's payment status page processes the payment",
      trigger: "div[name=o_payment_status]",
      expectUnloadPage: true,
    },
    {
      content: "Back on the schedule: both instalments are paid",
      trigger: "tr.cmr_instalment_row:nth-child(2) .badge.text-bg-success",
    },
  ],
});

registry.category("web_tour.tours").add("cmr_portal_pay_nothing_ticked", {
  url: "/my/tuition",
  steps: () => [
    {
      content: "Pay without ticking an instalment",
      trigger: "button#cmr_pay_selected",
      run: "click",
      expectUnloadPage: true,
    },
    {
      content: "The tuition page again, the message by the payment form",
      trigger: "#cmr_pay_form #cmr_pay_errors:contains('Tick at least one instalment')",
    },
    {
      content: "The schedule is still there: tick the first instalment",
      trigger: "tr.cmr_instalment_row:nth-child(1) input.cmr_pay_select",
      run: "click",
    },
    {
      content: "Pay it",
      trigger: "button#cmr_pay_selected",
      run: "click",
      expectUnloadPage: true,
    },
    {
      content: "Odoo's payment form for the ticked instalment",
      trigger: "#o_payment_form",
    },
    {
      content: "One instalment in the payment",
      trigger: "tr.cmr_pay_line:only-child",
    },
  ],
});
