// perms.js (administrators): grants per user ("*" is everyone, anonymous
// callers too) and per namespace: who can do what there, granted and
// revoked in place.
import { call, path, session } from './api.js';
import { button, el, form, table } from './dom.js';

const LEVELS = ['read', 'write', 'admin'];
let ns = ''; // the namespace shown, kept across renders

function revoke(user, scope) {
  return button('revoke', () => call('DELETE', path('/users', user, 'permissions', scope)));
}

function grant(user, scope, access) {
  return call('PUT', path('/users', user, 'permissions'), { repo: scope, access });
}

// Every grant on ns itself or a repository in it, from every user.
async function namespace(names) {
  const out = [el('h3', {}, 'By namespace'),
    form([['ns', 'namespace']], 'show', (v) => { ns = v.ns.trim(); }, '')];
  if (!ns) return out;
  const all = await Promise.all(names.map((n) => call('GET', path('/users', n, 'permissions'))));
  const rows = [];
  names.forEach((user, i) => {
    for (const [scope, access] of Object.entries(all[i]).sort()) {
      if (scope === ns || scope.startsWith(ns + '/')) {
        rows.push([user, scope, access, revoke(user, scope)]);
      }
    }
  });
  return out.concat(el('h4', {}, 'Who can do what in ', ns),
    table(['User', 'Scope', 'Access', ''], rows, 'no grants in ' + ns),
    form([['user', 'user', names], ['access', 'access', LEVELS]], 'grant on ' + ns,
      (v) => grant(v.user, ns, v.access)));
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
    const rows = Object.entries(p).sort().map(([scope, access]) =>
      [scope, access, revoke(user, scope)]);
    main.append(
      el('label', {}, 'grants of ', pick),
      table(['Scope', 'Access', ''], rows, 'no grants'),
      form([['repo', 'namespace or namespace/repository'], ['access', 'access', LEVELS]],
        'grant', (v) => grant(user, v.repo, v.access)),
      ...(await namespace(names)));
  },
};
