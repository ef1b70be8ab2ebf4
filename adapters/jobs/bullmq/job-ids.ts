/**
 * BullMQ refuses custom job ids that contain `:` (it separates Redis key parts) or that
 * read as an integer (those are its own generated ids). orderflow's ids do contain `:`
 * (`notify:evt_…`), so they are escaped, reversibly and without collisions: `%` becomes
 * `%25`, `:` becomes `%3A`, and the first character of an integer-looking id is escaped
 * too (`42` → `%342`). Ids without those characters are kept as they are, and handlers
 * always see the original id in `context.id`.
 *
 * ```ts
 * toBullmqJobId('notify:evt_1'); // 'notify%3Aevt_1'
 * fromBullmqJobId('notify%3Aevt_1'); // 'notify:evt_1'
 * ```
 */
export function toBullmqJobId(id: string): string {
  const escaped = id.replace(/[%:]/g, escapeChar);
  if (escaped !== '' && `${Number.parseInt(escaped, 10)}` === escaped) {
    return escapeChar(escaped[0]!) + escaped.slice(1);
  }
  return escaped;
}

/** The original id of a job id made by {@link toBullmqJobId} (BullMQ's own ids pass through). */
export function fromBullmqJobId(id: string): string {
  return id.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function escapeChar(char: string): string {
  return `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
}
