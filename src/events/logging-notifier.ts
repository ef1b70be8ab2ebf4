import type { Logger } from '../ports/logger.js';
import type { Notification, NotifierPort } from '../ports/notifier.js';

/** The default notifier: writes each event to the logger at debug level. */
export function loggingNotifier(logger: Logger): NotifierPort {
  return {
    async notify(n: Notification) {
      logger.debug({ eventId: n.id, event: n.name }, 'orderflow event');
    },
  };
}
