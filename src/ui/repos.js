// repos.js: the repositories the user may pull, with their tags (tag ->
// image id or digest), state, last pusher and push time; a search box.
import { call } from './api.js';
import { el, table, when, yes } from './dom.js';

function tags(t) {
  const list = Object.entries(t || {}).sort();
  return el('ul', { class: 'tags' }, list.map(([tag, id]) =>
    el('li', {}, el('b', {}, tag), ' → ', el('code', { title: id }, id.slice(0, 19)))));
}

export default {
  id: 'repos',
  title: 'Repositories',
  admin: false,
  async render(main) {
    const all = (await call('GET', '/repositories')).sort((a, b) => (a.name < b.name ? -1 : 1));
    const q = el('input', { type: 'search', name: 'q', placeholder: 'search by name' });
    const out = el('div');
    const list = () => {
      const rows = all.filter((r) => r.name.includes(q.value.trim())).map((r) => [
        r.name, tags(r.tags), r.state || '', r.pusher || '', when(r.updated), yes(r.public),
        r.admin ? el('a', { href: '#hooks/' + r.name }, 'webhooks') : '',
      ]);
      out.replaceChildren(table(['Repository', 'Tags', 'State', 'Last pusher', 'Pushed',
        'Public', ''], rows, 'no repositories'));
    };
    q.addEventListener('input', list);
    list();
    main.append(q, out);
  },
};
