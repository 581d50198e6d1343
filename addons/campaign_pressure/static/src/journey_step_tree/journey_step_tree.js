/** @odoo-module **/

import {Component} from "@odoo/owl";
import {registry} from "@web/core/registry";
import {standardFieldProps} from "@web/views/fields/standard_field_props";
import {useService} from "@web/core/utils/hooks";

// the Font Awesome icon of each kind of step
const KIND_ICONS = {
  email: "fa-envelope",
  sms: "fa-mobile",
  activity: "fa-phone",
  letter: "fa-file-text-o",
  update: "fa-pencil",
  wait: "fa-hourglass-half",
};

/**
 * A journey's steps as a tree on the journey form: parent above, its next
 * steps below, each node with its kind, trigger, delay and statistics.
 * The nodes come from the journey's computed ``step_tree`` (labels in the
 * reader's language); a click opens the step's form.
 */
export class JourneyStepTree extends Component {
  static template = "campaign_pressure.JourneyStepTree";
  static props = {...standardFieldProps};

  // punctuation between a node's labels (no text to translate)
  separator = " · ";
  colon = ": ";

  setup() {
    this.action = useService("action");
  }

  get roots() {
    const nodes = this.props.record.data[this.props.name] || [];
    const byKey = new Map(nodes.map((node) => [node.key, {...node, children: []}]));
    const roots = [];
    for (const node of byKey.values()) {
      const parent = node.parent && byKey.get(node.parent);
      if (parent) {
        parent.children.push(node);
      } else {
        roots.push(node);
      }
    }
    return roots;
  }

  icon(node) {
    return KIND_ICONS[node.kind] || "fa-circle-o";
  }

  async openStep(node) {
    if (!node.id) {
      return;
    }
    if (!(await this.props.record.save())) {
      return;
    }
    await this.action.doAction({
      type: "ir.actions.act_window",
      res_model: "campaign.journey.step",
      res_id: node.id,
      views: [[false, "form"]],
      target: "current",
    });
  }
}

registry.category("fields").add("journey_step_tree", {
  component: JourneyStepTree,
  supportedTypes: ["json"],
});
