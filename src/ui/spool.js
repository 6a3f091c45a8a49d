// spool.js (administrators): the webhook deliveries waiting on disk, and
// the failed ones with their last error: retry or drop.
import { call, path } from './api.js';
import { button, el, table, when } from './dom.js';

export default {
  id: 'spool',
  title: 'Spool',
  admin: true,
  async render(main) {
    const s = await call('GET', '/spool');
    main.append(
      table(['New', 'Active', 'Deferred', 'Failed'], [[String(s.new), String(s.active),
        String(s.deferred), String(s.failed)]]),
      el('h3', {}, 'Failed deliveries'),
      table(['Id', 'Repository', 'Event', 'URL', 'Queued', 'Attempts', 'Last error', ''],
        s.failed_deliveries.map((d) => [d.id, d.repository || '', d.event || '', d.url || '',
          when(d.created), String(d.attempts ?? ''), d.last_error || '',
          el('div', { class: 'actions' },
            button('retry', () => call('POST', path('/spool', d.id, 'retry')), 'requeued'),
            button('drop', () => call('DELETE', path('/spool', d.id)), 'dropped',
              'Drop this delivery for good?'))]),
        'no failed deliveries'));
  },
};
