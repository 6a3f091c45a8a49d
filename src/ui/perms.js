// perms.js (administrators): grants per user ("*" is everyone, anonymous
// callers too) and per namespace: who can do what there.
import { call, path, session } from './api.js';
import { button, el, form, table } from './dom.js';

const LEVELS = ['read', 'write', 'admin'];

async function grants(names) {
  const all = await Promise.all(names.map((n) => call('GET', path('/users', n, 'permissions'))));
  return names.map((n, i) => [n, all[i]]);
}

// Every grant on ns itself or a repository in it, from every user.
function byNamespace(names) {
  const out = el('div');
  const f = el('form', {}, el('label', {}, 'namespace', el('input', { name: 'ns', required: true })),
    el('button', { type: 'submit' }, 'show'));
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const ns = f.elements.ns.value.trim();
    const rows = [];
    for (const [user, p] of await grants(names)) {
      for (const [scope, access] of Object.entries(p)) {
        if (scope === ns || scope.startsWith(ns + '/')) rows.push([user, scope, access]);
      }
    }
    out.replaceChildren(table(['User', 'Scope', 'Access'], rows, 'no grants in ' + ns));
  });
  return el('div', {}, f, out);
}

export default {
  id: 'perms',
  title: 'Permissions',
  admin: true,
  async render(main, arg) {
    const names = ['*', ...(await call('GET', '/users'))];
    const user = names.includes(arg) ? arg : session().user;
    const pick = el('select', { name: 'user' }, names.map((n) =>
      el('option', { value: n, selected: n === user }, n === '*' ? '* (everyone)' : n)));
    pick.addEventListener('change', () => { location.hash = '#perms/' + pick.value; });
    const p = await call('GET', path('/users', user, 'permissions'));
    const rows = Object.entries(p).sort().map(([scope, access]) => [scope, access,
      button('revoke', () => call('DELETE', path('/users', user, 'permissions', scope)))]);
    main.append(
      el('label', {}, 'grants of ', pick),
      table(['Scope', 'Access', ''], rows, 'no grants'),
      form([['repo', 'namespace or namespace/repository'], ['access', 'access', LEVELS]],
        'grant', (v) => call('PUT', path('/users', user, 'permissions'), v)),
      el('h3', {}, 'By namespace'),
      byNamespace(names));
  },
};
