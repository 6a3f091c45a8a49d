// teams.js: teams, their members, owners and grants. Anyone sees them;
// administrators create and delete teams, owners manage members and
// owners, namespace admins the grants (the server decides).
import { call, path } from './api.js';
import { button, el, form, table } from './dom.js';

const LEVELS = ['read', 'write', 'admin'];

function people(base, rec, what) {
  return [el('h4', {}, what === 'members' ? 'Members' : 'Owners'),
    table(['User', ''], (rec[what] || []).map((u) =>
      [u, button('remove', () => call('DELETE', path(base, what, u)))]), 'none'),
    form([['user', 'user name']], what === 'members' ? 'add member' : 'add owner',
      (v) => call('PUT', path(base, what, v.user)))];
}

async function team(main, t) {
  const base = path('/teams', t);
  const rec = await call('GET', base);
  main.append(el('h3', {}, 'Team ', t), ...people(base, rec, 'members'),
    ...people(base, rec, 'owners'), el('h4', {}, 'Grants'),
    table(['Scope', 'Access', ''], Object.entries(rec.perms || {}).sort().map(([s, a]) =>
      [s, a, button('revoke', () => call('DELETE', path(base, 'permissions', s)))]),
    'no grants'),
    form([['repo', 'namespace or namespace/repository'], ['access', 'access', LEVELS]],
      'grant', (v) => call('PUT', path(base, 'permissions'), v)),
    button('delete team', () => call('DELETE', base).then(() => { location.hash = '#teams'; }),
      'deleted', 'Delete team ' + t + '?'));
}

export default {
  id: 'teams',
  title: 'Teams',
  admin: false,
  async render(main, t) {
    if (t) return team(main, t);
    const list = await call('GET', '/teams');
    main.append(
      table(['Team'], list.map((n) => [el('a', { href: '#teams/' + n }, n)]), 'no teams'),
      form([['name', 'team name']], 'create team', (v) => call('POST', '/teams', v)));
  },
};
