import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';

/**
 * Draws a state machine as a Mermaid `stateDiagram-v2`, generated purely from the machine
 * definition (no snapshot is created and no guard is evaluated), so the diagram cannot
 * drift from the code.
 *
 * - `[*] --> s` marks the initial state, `s --> [*]` each final state.
 * - Each transition is one line `from --> to: EVENT`, in definition order (states in the
 *   order they are declared, then their events in the order of `on`, then each event's
 *   candidates in order). A guarded candidate reads `EVENT [guardName]`.
 * - A transition without a target (it stays in its state) is drawn as a self-loop;
 *   eventless (`always`), delayed (`after`) and done/error transitions get readable labels.
 * - Compound and parallel states become composite states (`state s { … }`).
 *
 * The output is deterministic: the same machine always yields the same text, with `\n`
 * line endings and no trailing newline.
 *
 * ```ts
 * import { orderMachine, toMermaid } from 'orderflow';
 *
 * toMermaid(orderMachine);
 * // stateDiagram-v2
 * //   [*] --> pending
 * //   pending --> confirmed: CONFIRM
 * //   pending --> cancelled: CANCEL
 * //   …
 * //   delivered --> returned: RETURN [fullyReturned]
 * //   cancelled --> [*]
 * //   returned --> [*]
 * ```
 */
export function toMermaid(machine: AnyStateMachine): string {
  const names = stateNames(machine.root);
  const lines = ['stateDiagram-v2'];
  writeChildren(machine.root, names, lines, '  ');
  return lines.join('\n');
}

/** Writes the children of a compound or parallel node, then their transitions. */
function writeChildren(
  node: AnyStateNode,
  names: Map<AnyStateNode, string>,
  lines: string[],
  indent: string,
): void {
  const children = Object.values(node.states) as AnyStateNode[];
  if (node.type === 'parallel') {
    // Each region of a parallel state is drawn as its own composite state, separated by `--`.
    children.forEach((child, i) => {
      if (i > 0) lines.push(`${indent}--`);
      writeState(child, names, lines, indent);
    });
    return;
  }
  if (node.type === 'compound') {
    const initial = node.initial.target[0];
    if (initial) lines.push(`${indent}[*] --> ${names.get(initial)}`);
  }
  for (const child of children) writeState(child, names, lines, indent);
}

function writeState(
  node: AnyStateNode,
  names: Map<AnyStateNode, string>,
  lines: string[],
  indent: string,
): void {
  const name = names.get(node)!;
  const declared = name !== node.key || Boolean(node.description);
  if (name !== node.key) lines.push(`${indent}state "${escapeLabel(node.key)}" as ${name}`);
  if (node.description) lines.push(`${indent}${name}: ${escapeLabel(node.description)}`);
  if (node.type === 'compound' || node.type === 'parallel') {
    lines.push(`${indent}state ${name} {`);
    writeChildren(node, names, lines, `${indent}  `);
    lines.push(`${indent}}`);
  }
  const before = lines.length;
  for (const transition of transitionsOf(node)) {
    const label = transitionLabel(transition);
    const targets = transition.target?.length ? transition.target : [node];
    for (const target of targets) {
      lines.push(`${indent}${name} --> ${names.get(target)}: ${label}`);
    }
  }
  if (node.type === 'final') {
    lines.push(`${indent}${name} --> [*]`);
  } else if (lines.length === before && node.type === 'atomic' && !declared) {
    // A state with no transitions at all would otherwise be missing from the diagram.
    lines.push(`${indent}${name}`);
  }
}

/** Transitions leaving `node`, in definition order: `on` (and done/error/after), then `always`. */
function transitionsOf(node: AnyStateNode): AnyTransitionDefinition[] {
  const out: AnyTransitionDefinition[] = [];
  for (const candidates of node.transitions.values()) out.push(...candidates);
  if (node.always) out.push(...node.always);
  return out;
}

function transitionLabel(transition: AnyTransitionDefinition): string {
  const event = eventLabel(transition);
  const guard = transition.guard === undefined ? undefined : guardName(transition.guard);
  return escapeLabel(guard === undefined ? event : `${event} [${guard}]`);
}

function eventLabel(transition: AnyTransitionDefinition): string {
  const type = String(transition.eventType);
  if (type === '') return 'always';
  if (type.startsWith('xstate.after.')) {
    const delay = (transition as { delay?: unknown }).delay;
    return typeof delay === 'number' ? `after ${delay}ms` : `after ${String(delay)}`;
  }
  if (type.startsWith('xstate.done.state.')) return 'done';
  if (type.startsWith('xstate.done.actor.'))
    return `done ${type.slice('xstate.done.actor.'.length)}`;
  if (type.startsWith('xstate.error.actor.')) {
    return `error ${type.slice('xstate.error.actor.'.length)}`;
  }
  if (type.startsWith('xstate.snapshot.'))
    return `snapshot ${type.slice('xstate.snapshot.'.length)}`;
  return type;
}

/** `'name'`, `{ type: 'name' }`, inline functions and `and`/`or`/`not`/`stateIn` guards. */
function guardName(guard: unknown): string {
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    const fn = guard as { name?: string; guards?: unknown[]; stateValue?: unknown };
    const name = fn.name || 'inline';
    if (Array.isArray(fn.guards)) return `${name}(${fn.guards.map(guardName).join(', ')})`;
    if (fn.stateValue !== undefined) return `${name}(${JSON.stringify(fn.stateValue)})`;
    return name;
  }
  if (guard && typeof guard === 'object' && 'type' in guard) return String(guard.type);
  return 'guard';
}

/**
 * Mermaid ids for every state: the state's key when it is a plain identifier used once in
 * the machine, otherwise its path joined with `__` and sanitized (declared with its key as
 * the displayed name).
 */
function stateNames(root: AnyStateNode): Map<AnyStateNode, string> {
  const all: AnyStateNode[] = [];
  const visit = (node: AnyStateNode) => {
    for (const child of Object.values(node.states) as AnyStateNode[]) {
      all.push(child);
      visit(child);
    }
  };
  visit(root);
  const keyCount = new Map<string, number>();
  for (const node of all) keyCount.set(node.key, (keyCount.get(node.key) ?? 0) + 1);
  const names = new Map<AnyStateNode, string>();
  for (const node of all) {
    const plain = /^[A-Za-z_][A-Za-z0-9_]*$/.test(node.key) && keyCount.get(node.key) === 1;
    names.set(node, plain ? node.key : node.path.join('__').replace(/[^A-Za-z0-9_]/g, '_'));
  }
  return names;
}

/** Keeps a label on one line; Mermaid ends a label at the line break. */
function escapeLabel(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/"/g, "'");
}
