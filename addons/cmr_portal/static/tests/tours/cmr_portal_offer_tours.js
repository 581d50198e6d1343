/** @odoo-module **/

import {registry} from "@web/core/registry";
import {waitUntil} from "@odoo/hoot-dom";

// A small PDF, as the applicant's identity document
const PDF_BASE64 = btoa(
  "%PDF-1.4\n% tour\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
);

async function chooseFile(input, name, type, base64) {
  const blob = await (await fetch(`data:${type};base64,${base64}`)).blob();
  const transfer = new DataTransfer();
  transfer.items.add(new File([blob], name, {type}));
  input.files = transfer.files;
  input.dispatchEvent(new Event("change", {bubbles: true}));
}

// The visitor who signs up on the apply path (Odoo's auth_signup); the
// password is the login, as for the test users
const NEWCOMER = "nina.newcomer@example.com";

registry.category("web_tour.tours").add("cmr_portal_apply_online", {
  steps: () => [
    {
      content: "The intake of the catalogue, not logged in: create an account",
      trigger: "a#cmr_apply_signup",
      run: "click",
      expectUnloadPage: true,
    },
    {
      content: "Sign up: email",
      trigger: "form.oe_signup_form input[name=login]",
      run: `edit ${NEWCOMER}`,
    },
    {
      content: "Sign up: name",
      trigger: "form.oe_signup_form input[name=name]",
      run: "edit Nina Newcomer",
    },
    {
      content: "Sign up: password",
      trigger: "form.oe_signup_form input[name=password]",
      run: `edit ${NEWCOMER}`,
    },
    {
      content: "Sign up: password again",
      trigger: "form.oe_signup_form input[name=confirm_password]",
      run: `edit ${NEWCOMER}`,
    },
    {
      content: "Sign up, back to the application form",
      trigger: "form.oe_signup_form button[type=submit]",
      run: "click",
      expectUnloadPage: true,
    },
    {
      content: "The application form, with the name given at sign-up",
      trigger: "#cmr_apply_form input[name=contact_name]:value(Nina Newcomer)",
    },
    {
      content: "Upload the required identity document",
      trigger: "#cmr_apply_form input[type=file][data-cmr-required]",
      async run(helpers) {
        await chooseFile(helpers.anchor, "identity.pdf", "application/pdf", PDF_BASE64);
      },
    },
    {
      content: "Send the application",
      trigger: "#cmr_apply_send",
      run: "click",
      expectUnloadPage: true,
    },
    {
      content: "The application is sent",
      trigger: "#cmr_application_sent",
    },
  ],
});

registry.category("web_tour.tours").add("cmr_portal_offer_accept_sign", {
  steps: () => [
    {
      content: "The offer: accept it",
      trigger: "#cmr_offer_accept button[type=submit]",
      run: "click",
      expectUnloadPage: true,
    },
    {
      content: "The proposed contract and its schedule",
      trigger: "#cmr_contract_schedule tbody tr",
    },
    {
      content: "The signature is drawn from the typed name",
      trigger: "#cmr_contract_sign canvas.o_web_sign_signature",
      async run(helpers) {
        await waitUntil(() => {
          const canvas = helpers.anchor;
          const context = canvas.getContext("2d");
          const image = context.getImageData(0, 0, canvas.width, canvas.height);
          return new Uint32Array(image.data.buffer).some((pixel) => pixel !== 0);
        });
      },
    },
    {
      content: "Sign",
      trigger: "#cmr_contract_sign .o_portal_sign_submit:enabled",
      run: "click",
      expectUnloadPage: true,
    },
    {
      content: "The contract is signed",
      trigger: "#cmr_contract_status:contains('Signed by')",
    },
  ],
});

registry.category("web_tour.tours").add("cmr_portal_offer_pay_first", {
  steps: () => [
    {
      content: "Pay the first instalment of the signed contract",
      trigger: "#cmr_contract_pay a",
      run: "click",
      expectUnloadPage: true,
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
      content: "Back on the schedule: the first instalment is paid",
      trigger: "tr.cmr_instalment_row:nth-child(1) .badge.text-bg-success",
    },
  ],
});
