// hooks.js: the webhooks of a repository the user administers: add,
// remove, ping, and each one's delivery history.
import { call, path } from './api.js';
import { button, el, form, table, when } from './dom.js';

let open = null; // the webhook whose history shows

async function history(base, id) {
  const h = await call('GET', path(base, id, 'history'));
  return table(['Time', 'Event', 'Status', 'Duration', 'Error'], h.slice().reverse().map((a) => [
    when(a.time), a.event || '', String(a.status ?? ''),
    a.duration_ms == null ? '' : a.duration_ms + ' ms',
    a.error || '']), 'no deliveries yet');
}

async function pick(main) {
  const mine = (await call('GET', '/repositories')).filter((r) => r.admin);
  main.append(el('p', {}, 'Choose a repository:'),
    el('ul', {}, mine.map((r) => el('li', {}, el('a', { href: '#hooks/' + r.name }, r.name)))));
}

export default {
  id: 'hooks',
  title: 'Webhooks',
  admin: false,
  async render(main, name) {
    if (!name) return pick(main);
    const base = path('/webhooks', name);
    const list = await call('GET', base);
    const rows = list.map((h) => [h.id, h.url, (h.events || []).join(', '), when(h.created),
      el('div', { class: 'actions' },
        button('ping', () => call('POST', path(base, h.id, 'ping')), 'ping queued'),
        button('history', () => { open = h.id; }, ''),
        button('remove', () => call('DELETE', path(base, h.id)), 'removed',
          'Remove this webhook and its history?'))]);
    main.append(el('h3', {}, name),
      table(['Id', 'URL', 'Events', 'Added', ''], rows, 'no webhooks'));
    if (open && list.some((h) => h.id === open)) {
      main.append(el('h3', {}, 'History of ', open), await history(base, open));
    }
    main.append(form([['url', 'URL', 'url'], ['secret', 'secret (optional)', 'password'],
      ['events', 'events', ['new,existing', 'new', 'existing']]], 'add webhook',
    (v) => call('POST', base, v)));
  },
};
