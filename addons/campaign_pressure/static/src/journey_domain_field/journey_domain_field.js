/** @odoo-module **/

import {DomainField, domainField} from "@web/views/fields/domain/domain_field";
import {registry} from "@web/core/registry";
import {rpc} from "@web/core/network/rpc";

/**
 * The domain widget of a journey's entry, exit, goal and step filter.
 *
 * Odoo's domain widget checks a domain by counting its records as the
 * user: a marketing manager who may not read the journey's target model
 * (admissions leads without CRM rights) gets an AccessError and the widget
 * says "Invalid domain" for a valid one. When the count fails, the domain
 * is checked the way the server checks it (Odoo's /web/domain/validate:
 * parsed and planned without reading a record); a valid domain is then shown
 * as valid, without a count of records the user may not list.
 */
export class JourneyDomainField extends DomainField {
  static template = "campaign_pressure.JourneyDomainField";

  setup() {
    super.setup();
    this.state.unlisted = false;
  }

  async checkProps(props = this.props) {
    this.state.unlisted = false;
    await super.checkProps(props);
    if (this.state.isValid !== false) {
      return;
    }
    const resModel = this.getResModel(props);
    const domain = this.getEvaluatedDomain(props);
    if (!resModel || domain.isInvalid) {
      return;
    }
    const isValid = await rpc("/web/domain/validate", {model: resModel, domain});
    if (isValid) {
      Object.assign(this.state, {isValid: true, recordCount: null, unlisted: true});
    }
  }
}

registry.category("fields").add("journey_domain", {
  ...domainField,
  component: JourneyDomainField,
});
