// perms.js: grants per user ("*" is everyone, anonymous callers too) and
// per namespace: who can do what there (users, teams, administrators),
// granted and revoked in place. Administrators see every grant; a
// namespace's admins those in their namespaces (the server decides).
import { call, path, session } from './api.js';
import { button, el, form, table } from './dom.js';

const LEVELS = ['read', 'write', 'admin'];
let ns = ''; // the namespace shown, kept across renders

// The grants route of "alice", "*" or "team:devs".
function grants(who) {
  return who.startsWith('team:') ? path('/teams', who.slice(5), 'permissions')
    : path('/users', who, 'permissions');
}

function revoke(who, scope) {
  return button('revoke', () => call('DELETE', path(grants(who), scope)));
}

async function namespace() {
  const out = [el('h3', {}, 'By namespace'),
    form([['ns', 'namespace']], 'show', (v) => { ns = v.ns.trim(); }, '')];
  if (!ns) return out;
  const rows = (await call('GET', path('/namespaces', ns, 'permissions'))).map((r) =>
    [r.who, r.scope, r.right, r.through,
      r.through === 'grant' ? revoke(r.who, r.scope) : '']);
  return out.concat(el('h4', {}, 'Who can do what in ', ns),
    table(['Who', 'Scope', 'Access', 'Through', ''], rows, 'no grants in ' + ns),
    form([['who', 'user, * or team:<name>'], ['repo', 'scope (namespace or ns/repo)'],
      ['access', 'access', LEVELS]], 'grant in ' + ns,
    (v) => call('PUT', grants(v.who), { repo: v.repo, access: v.access })));
}

export default {
  id: 'perms',
  title: 'Permissions',
  admin: false,
  async render(main, arg) {
    const s = session();
    if (!ns && !s.admin) ns = s.user; // their own namespace, to begin with
    const user = arg || s.user;
    let pick = el('input', { name: 'user', value: user });
    if (s.admin) {
      const names = ['*', ...(await call('GET', '/users'))];
      pick = el('select', { name: 'user' }, names.map((n) =>
        el('option', { value: n, selected: n === user }, n === '*' ? '* (everyone)' : n)));
    }
    pick.addEventListener('change', () => { location.hash = '#perms/' + pick.value; });
    const p = await call('GET', grants(user));
    const rows = Object.entries(p).sort().map(([scope, access]) =>
      [scope, access, revoke(user, scope)]);
    main.append(
      el('label', {}, 'grants of ', pick),
      table(['Scope', 'Access', ''], rows, 'no grants'),
      form([['repo', 'namespace or namespace/repository'], ['access', 'access', LEVELS]],
        'grant', (v) => call('PUT', grants(user), v)),
      ...(await namespace()));
  },
};
