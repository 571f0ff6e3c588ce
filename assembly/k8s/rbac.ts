// RBAC objects as facts: the rules of a Role/ClusterRole, the roleRef and the
// subjects of a RoleBinding/ClusterRoleBinding. Fields of the wrong type are
// problems (fail closed), never "no rules" or "no subjects".
import { Json } from "../json/view";

export class PolicyRule {
  apiGroups: string[] = [];
  resources: string[] = [];
  verbs: string[] = [];
  nonResourceURLs: string[] = [];
}

export class RoleRules {
  rules: PolicyRule[] = [];
  problems: string[] = [];
}

function strings(value: Json, path: string, problems: string[]): string[] {
  if (!value.exists) return [];
  if (!value.isArray) { problems.push(path + " is not a list (got " + value.typeName + ")"); return []; }
  const items = value.elements();
  const out = new Array<string>();
  for (let i = 0; i < items.length; i++) {
    const text = items[i].asString();
    if (text === null) { problems.push(path + "[" + i.toString() + "] is not a string (got " + items[i].typeName + ")"); continue; }
    out.push(text);
  }
  return out;
}

/** The `rules` list of a Role or ClusterRole (the view of the list itself). */
export function roleRulesIn(rules: Json): RoleRules {
  const out = new RoleRules();
  if (!rules.exists) return out;
  if (!rules.isArray) { out.problems.push("rules is not a list (got " + rules.typeName + ")"); return out; }
  const items = rules.fieldsOfElements(["apiGroups", "resources", "verbs", "nonResourceURLs"]);
  for (let i = 0; i < items.length; i++) {
    const at = "rules[" + i.toString() + "]";
    const rule = new PolicyRule();
    rule.apiGroups = strings(items[i][0], at + ".apiGroups", out.problems);
    rule.resources = strings(items[i][1], at + ".resources", out.problems);
    rule.verbs = strings(items[i][2], at + ".verbs", out.problems);
    rule.nonResourceURLs = strings(items[i][3], at + ".nonResourceURLs", out.problems);
    out.rules.push(rule);
  }
  return out;
}

export class Subject {
  constructor(public kind: string, public name: string, public namespace: string) {}
}

export class Binding {
  roleKind: string = "";
  roleName: string = "";
  subjects: Subject[] = [];
  problems: string[] = [];
}

/** A binding from its `roleRef` and `subjects` views. */
export function bindingIn(roleRef: Json, subjects: Json): Binding {
  const out = new Binding();
  if (!roleRef.isObject) out.problems.push("roleRef is not an object (got " + roleRef.typeName + ")");
  else {
    const ref = roleRef.fields(["kind", "name"]);
    const kind = ref[0].asString();
    const name = ref[1].asString();
    if (kind === null || name === null) out.problems.push("roleRef needs a kind and a name (strings)");
    else { out.roleKind = kind; out.roleName = name; }
  }
  if (subjects.exists && !subjects.isArray) { out.problems.push("subjects is not a list (got " + subjects.typeName + ")"); return out; }
  const items = subjects.fieldsOfElements(["kind", "name", "namespace"]);
  for (let i = 0; i < items.length; i++) {
    const kind = items[i][0].asString();
    const name = items[i][1].asString();
    if (kind === null || name === null) { out.problems.push("subjects[" + i.toString() + "] needs a kind and a name (strings)"); continue; }
    out.subjects.push(new Subject(kind, name, items[i][2].stringOr("")));
  }
  return out;
}
